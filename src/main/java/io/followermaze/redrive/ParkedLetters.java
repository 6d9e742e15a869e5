package io.followermaze.redrive;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.ParkedStore;
import io.followermaze.dlq.Redelivery;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's own connection to the dead-letter store, for redrives: finds parked letters, marks
 * them redriven, and takes and records redrive requests. Shared by the redriver and the client
 * handshakes, so it is synchronized (a SQLite connection is single-threaded); the collector writes
 * through a connection of its own.
 */
public final class ParkedLetters implements AutoCloseable {

  private final ParkedStore store;
  private final java.util.concurrent.atomic.AtomicLong redriven =
      new java.util.concurrent.atomic.AtomicLong();

  /** Uses {@code store}, which this object now owns. */
  public ParkedLetters(ParkedStore store) {
    this.store = store;
  }

  /**
   * Up to {@code limit} parked letters matching {@code filter} after {@code after} (user by user,
   * each user's in sequence order), as redeliveries.
   */
  public synchronized List<Redelivery> find(
      DeadLetterFilter filter, ParkedCursor after, int limit) {
    return toRedeliveries(store.parked(filter, after, limit));
  }

  /** Letters this server has redriven (requests and redrive on connect). */
  public long redriven() {
    return redriven.get();
  }

  /** Marks the letters redriven now. */
  public synchronized void markRedriven(List<Long> ids) {
    if (!ids.isEmpty()) {
      store.markRedriven(ids, System.currentTimeMillis());
      redriven.addAndGet(ids.size());
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
  static List<Redelivery> toRedeliveries(List<StoredDeadLetter> letters) {
    List<Redelivery> redeliveries = new ArrayList<>(letters.size());
    for (StoredDeadLetter stored : letters) {
      if (EventParser.parse(stored.letter().payload()) instanceof Event event) {
        redeliveries.add(new Redelivery(stored.id(), stored.letter().recipient(), event));
      }
    }
    return redeliveries;
  }

  @Override
  public synchronized void close() {
    store.close();
  }
}
