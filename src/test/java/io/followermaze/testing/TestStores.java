package io.followermaze.testing;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** SQLite dead-letter stores as the tests of the store and of redrive use them. */
public final class TestStores {

  private TestStores() {}

  /** A store in {@code dir}: normal sync, a day's retention, room for a million letters. */
  public static SqliteDeadLetterStore open(Path dir) {
    return SqliteDeadLetterStore.open(
        dir, false, new SqliteDeadLetterStore.Retention(Duration.ofDays(1), 1_000_000));
  }

  /** Appends {@code letters} as the collector does, then indexes everything as it does at close. */
  public static void commit(SqliteDeadLetterStore store, List<DeadLetter> letters) {
    store.append(List.of(DeadLetterBlock.of(letters)));
    indexAll(store);
  }

  /**
   * A private message {@code sequence|P|1|recipient} for a user who was not connected, at {@code
   * time} (epoch ms).
   */
  public static DeadLetter offline(long sequence, int recipient, long time) {
    Event event = (Event) EventParser.parse((sequence + "|P|1|" + recipient + "\n").getBytes());
    return DeadLetter.undeliverable(
        Reason.USER_NOT_CONNECTED,
        event,
        recipient,
        "source#1 127.0.0.1:1",
        time,
        Reason.USER_NOT_CONNECTED.usualError());
  }

  /** Indexes every pending block. */
  public static void indexAll(SqliteDeadLetterStore store) {
    while (store.runDeferredWork(true)) {
      // One pass more.
    }
  }
}
