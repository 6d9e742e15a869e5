package io.followermaze.redrive;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.RedriveStore;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The server's own connection to the dead-letter store, for redrives: finds parked letters, marks
 * them redriven, and takes and records redrive requests. Shared by the redriver and the client
 * handshakes, so it is synchronized (a SQLite connection is single-threaded); the collector writes
 * through a connection of its own.
 */
public final class RedriveConnection implements AutoCloseable {

  private final RedriveStore store;
  private final java.util.concurrent.atomic.AtomicLong redriven =
      new java.util.concurrent.atomic.AtomicLong();
  private final Set<Long> inFlight = new HashSet<>(); // found, not settled; or delivered, unmarked
  private final List<Long> unmarked = new ArrayList<>(); // delivered, their mark failed

  /** Uses {@code store}, which this object now owns. */
  public RedriveConnection(RedriveStore store) {
    this.store = store;
  }

  /**
   * Up to {@code limit} parked letters matching {@code filter} after {@code after} (user by user,
   * each user's in sequence order), as redeliveries. Letters another caller has found and not yet
   * {@linkplain #settle settled} are left out, so a redrive and a connecting user never both queue
   * the same letter; every letter found must be settled.
   */
  public synchronized List<ParkedLetter> find(
      DeadLetterFilter filter, ParkedCursor after, int limit) {
    ParkedCursor cursor = after;
    while (true) {
      List<StoredDeadLetter> page = store.parked(filter, cursor, limit);
      if (page.isEmpty()) {
        return List.of();
      }
      List<ParkedLetter> free = new ArrayList<>(page.size());
      for (ParkedLetter letter : toRedeliveries(page)) {
        if (inFlight.add(letter.id())) {
          free.add(letter);
        }
      }
      if (!free.isEmpty()) {
        return free;
      }
      cursor = ParkedCursor.at(page.getLast());
    }
  }

  /** Letters this server has redriven (requests and redrive on connect). */
  public long redriven() {
    return redriven.get();
  }

  /**
   * Settles letters {@link #find} returned: those {@code queued} are marked redriven, the others
   * may be found again. If the mark fails, the queued letters (delivered) stay out of every later
   * find of this server and their mark is tried again with the next settle; the error is thrown.
   */
  public synchronized void settle(List<ParkedLetter> found, List<Long> queued) {
    for (ParkedLetter letter : found) {
      inFlight.remove(letter.id());
    }
    redriven.addAndGet(queued.size());
    List<Long> toMark = new ArrayList<>(unmarked);
    toMark.addAll(queued);
    if (toMark.isEmpty()) {
      return;
    }
    try {
      store.markRedriven(toMark, System.currentTimeMillis());
      unmarked.forEach(inFlight::remove);
      unmarked.clear();
    } catch (RuntimeException e) {
      for (long id : queued) {
        if (inFlight.add(id)) {
          unmarked.add(id);
        }
      }
      throw e;
    }
  }

  /** The oldest pending redrive request, now marked running, if there is one. */
  synchronized Optional<RedriveRequest> takePendingRedrive() {
    return store.takePendingRedrive();
  }

  /** Records a redrive request's progress and status (running, done, interrupted, failed). */
  synchronized void recordRedrive(RedriveRequest progress) {
    store.recordRedrive(progress, System.currentTimeMillis());
  }

  /**
   * Requests a stopped server left running or interrupted become pending again; returns how many.
   */
  synchronized long resumeInterrupted() {
    return store.resumeInterruptedRedrives();
  }

  /**
   * Parked letters become events again by parsing their original bytes (they were valid events).
   */
  static List<ParkedLetter> toRedeliveries(List<StoredDeadLetter> letters) {
    List<ParkedLetter> redeliveries = new ArrayList<>(letters.size());
    for (StoredDeadLetter stored : letters) {
      if (EventParser.parse(stored.letter().payload()) instanceof Event event) {
        redeliveries.add(new ParkedLetter(stored.id(), stored.letter().recipient(), event));
      }
    }
    return redeliveries;
  }

  @Override
  public synchronized void close() {
    store.close();
  }
}
