package io.followermaze.redrive;

import io.followermaze.deadletter.DeadLetterFilter;
import io.followermaze.engine.EngineCommand.Redelivery;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.storage.SqliteDeadLetterStore;
import io.followermaze.storage.SqliteDeadLetterStore.RedriveRequest;
import io.followermaze.storage.StoredDeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's own connection to the dead-letter store, for redrives: finds parked letters, marks
 * them redriven, and takes and records redrive requests. Shared by the redriver and the client handshakes, so it is synchronized
 * (SQLite connections are single-threaded); the collector writes through a connection of its own.
 */
public final class ParkedLetters implements AutoCloseable {

  private final SqliteDeadLetterStore store;

  /** Uses {@code store}, which this object now owns. */
  public ParkedLetters(SqliteDeadLetterStore store) {
    this.store = store;
  }

  /**
   * Up to {@code limit} parked letters matching {@code filter}, in sequence order after {@code
   * after} (null: from the start), as redeliveries.
   */
  public synchronized List<Redelivery> find(DeadLetterFilter filter, Redelivery after, int limit) {
    long sequence = after == null ? 0 : after.event().sequence();
    long id = after == null ? 0 : after.id();
    return toRedeliveries(store.parked(filter, sequence, id, limit));
  }

  /** Marks the letters redriven now. */
  public synchronized void markRedriven(List<Long> ids) {
    if (!ids.isEmpty()) {
      store.markRedriven(ids, System.currentTimeMillis());
    }
  }

  /** The oldest pending redrive request, now marked running, if there is one. */
  synchronized Optional<RedriveRequest> takePendingRedrive() {
    return store.takePendingRedrive();
  }

  /** Records a redrive request's progress; {@code done} finishes it. */
  synchronized void recordRedrive(long id, long redriven, long skipped, boolean done) {
    store.recordRedrive(id, redriven, skipped, done, System.currentTimeMillis());
  }

  /** Parked letters become events again by parsing their original bytes (they were valid events). */
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
