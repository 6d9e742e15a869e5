package io.followermaze.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.deadletter.DeadLetter;
import io.followermaze.deadletter.DeadLetterBlock;
import io.followermaze.deadletter.DeadLetterFilter;
import io.followermaze.deadletter.Reason;
import io.followermaze.protocol.EventType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDeadLetterStoreTest {

  @TempDir Path dir;
  private SqliteDeadLetterStore store;

  @BeforeEach
  void open() {
    store = SqliteDeadLetterStore.open(dir, false, new SqliteDeadLetterStore.Retention(Duration.ofDays(1), 1_000_000));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Appends as the collector does, then expands as the idle flusher does. */
  private void commit(List<DeadLetter> letters) throws Exception {
    store.append(List.of(DeadLetterBlock.of(letters)));
    while (store.catchUp()) {
      // Expand every pending batch.
    }
  }

  @Test
  void anAppendedBatchIsDurableAtOnceAndQueryableOnceExpandedExactlyOnce() throws Exception {
    store.append(List.of(DeadLetterBlock.of(List.of(offline(1, 1, 10), offline(2, 1, 20)))));
    store.append(List.of(DeadLetterBlock.of(offline(3, 1, 30))));
    assertThat(store.count(DeadLetterFilter.ALL)).isZero();
    assertThat(store.awaitingIndex()).isEqualTo(3);
    assertThat(store.stats().awaitingIndex()).isEqualTo(3);

    assertThat(store.catchUp()).as("a batch was expanded").isTrue();
    assertThat(store.count(DeadLetterFilter.ALL)).isEqualTo(2);
    assertThat(store.catchUp()).isTrue();
    assertThat(store.catchUp()).as("nothing left").isFalse();
    assertThat(store.list(DeadLetterFilter.ALL, 0, 10)).extracting(s -> s.letter().sequence()).containsExactly(1L, 2L, 3L);
    assertThat(store.awaitingIndex()).isZero();
  }

  private static DeadLetter offline(long sequence, int recipient, long time) {
    byte[] line = (sequence + "|P|1|" + recipient + "\n").getBytes();
    return new DeadLetter(Reason.USER_NOT_CONNECTED, line, line.length, sequence, recipient, EventType.PRIVATE_MESSAGE,
        time, "source#1 127.0.0.1:1", 1, Reason.USER_NOT_CONNECTED.usualError());
  }

  @Test
  void keepsEveryFieldOfEveryShapeOfLetterExactly() throws Exception {
    byte[] invalid = {'7', '|', 'S', '|', (byte) 0xff, '\n'};
    List<DeadLetter> letters = List.of(
        offline(3, 42, 1_000),
        new DeadLetter(Reason.INVALID_UTF8, invalid, invalid.length, 7, DeadLetter.NONE, null, 2_000, "source#2 x", 1, "not valid UTF-8"),
        new DeadLetter(Reason.LINE_TOO_LONG, "12|S|999".getBytes(), 5000, 12, DeadLetter.NONE, null, 3_000, "source#2 x", 1, "too long"),
        DeadLetter.gap(20, "source#2 x", 4_000, "sequences 20..25 skipped"),
        new DeadLetter(Reason.CLIENT_TOO_SLOW, "9|B\n".getBytes(), 4, 9, 5, EventType.BROADCAST, 5_000, "client 5 y", 3, "buffer full"));
    commit(letters);

    List<StoredDeadLetter> stored = store.list(DeadLetterFilter.ALL, 0, 100);
    assertThat(stored).extracting(StoredDeadLetter::id).containsExactly(1L, 2L, 3L, 4L, 5L);
    for (int i = 0; i < letters.size(); i++) {
      DeadLetter expected = letters.get(i);
      DeadLetter actual = stored.get(i).letter();
      assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    }
    assertThat(store.get(2)).get().extracting(s -> s.letter().payload()).isEqualTo(invalid);
    assertThat(store.get(99)).isEmpty();
  }

  @Test
  void filtersByReasonRecipientSequenceAndTime() throws Exception {
    List<DeadLetter> letters = new ArrayList<>();
    for (int s = 1; s <= 100; s++) {
      letters.add(offline(s, s % 4, s * 1000L));
    }
    letters.add(DeadLetter.gap(500, "source", 500_000, "gap"));
    commit(letters);

    assertThat(store.list(DeadLetterFilter.ALL.withReasons(Set.of(Reason.SEQUENCE_GAP)), 0, 10)).hasSize(1);
    assertThat(store.list(DeadLetterFilter.ALL.forRecipient(3), 0, 1000)).hasSize(25)
        .allSatisfy(s -> assertThat(s.letter().recipient()).isEqualTo(3));
    DeadLetterFilter range = new DeadLetterFilter(Set.of(), null, 10L, 19L, null, null);
    assertThat(store.list(range, 0, 1000)).extracting(s -> s.letter().sequence()).containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
    DeadLetterFilter time = new DeadLetterFilter(Set.of(), null, null, null, Instant.ofEpochMilli(50_000), Instant.ofEpochMilli(52_000));
    assertThat(store.list(time, 0, 1000)).extracting(s -> s.letter().sequence()).containsExactly(50L, 51L);
    assertThat(store.list(DeadLetterFilter.ALL, 95, 1000)).hasSize(6);
  }

  @Test
  void countsByReasonAndPurgesByFilter() throws Exception {
    commit(List.of(offline(1, 1, 10), offline(2, 2, 20), DeadLetter.gap(3, "s", 30, "gap")));
    DeadLetterStats stats = store.stats();
    assertThat(stats.total()).isEqualTo(3);
    assertThat(stats.byReason()).containsEntry(Reason.USER_NOT_CONNECTED, 2L).containsEntry(Reason.SEQUENCE_GAP, 1L);
    assertThat(stats.oldestMillis()).isEqualTo(10);
    assertThat(stats.newestMillis()).isEqualTo(30);
    assertThat(stats.bytesOnDisk()).isPositive();

    assertThat(store.purge(DeadLetterFilter.ALL.forRecipient(2))).isEqualTo(1);
    assertThat(store.stats().total()).isEqualTo(2);
  }

  @Test
  void retentionRemovesTheOldAndTheExcessAndCountsThem() throws Exception {
    long now = 10 * 86_400_000L;
    List<DeadLetter> letters = new ArrayList<>();
    for (int s = 1; s <= 10; s++) {
      letters.add(offline(s, 1, s <= 3 ? now - 2 * 86_400_000L : now));
    }
    commit(letters);
    assertThat(store.applyRetention(now - 86_400_000L, 5)).isEqualTo(5);
    assertThat(store.list(DeadLetterFilter.ALL, 0, 100)).extracting(s -> s.letter().sequence()).containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(store.stats().removedByRetention()).isEqualTo(5);
  }

  @Test
  void findsOneUsersParkedLettersThroughThePartialIndex() throws Exception {
    commit(List.of(offline(1, 1, 10), offline(2, 2, 20)));
    store.indexParkedByRecipient();
    try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDeadLetterStore.FILE_NAME));
        var plan = connection.createStatement().executeQuery("EXPLAIN QUERY PLAN SELECT d.id FROM dead_letter d"
            + " WHERE d.id > 0 AND d.redriven_ms IS NULL AND " + FilterSql.reasonIn(java.util.EnumSet.of(
                Reason.USER_NOT_CONNECTED, Reason.CONNECTION_LOST, Reason.CLIENT_TOO_SLOW), store.reasonCodes())
            + " AND d.recipient = 2 ORDER BY d.sequence, d.id")) {
      StringBuilder text = new StringBuilder();
      while (plan.next()) {
        text.append(plan.getString(4)).append('\n');
      }
      assertThat(text.toString()).contains("USING INDEX parked_by_recipient");
    }
    assertThat(store.parked(DeadLetterFilter.ALL.forRecipient(2), 0, 0, 10)).extracting(s -> s.letter().sequence()).containsExactly(2L);
  }

  @Test
  void parkedLettersComeInSequenceOrderWhateverOrderTheyWereStoredIn() throws Exception {
    commit(List.of(offline(65, 2, 10), offline(1, 2, 11), offline(2, 2, 12), offline(3, 2, 13)));
    assertThat(store.parked(DeadLetterFilter.ALL, 0, 0, 2)).extracting(s -> s.letter().sequence()).containsExactly(1L, 2L);
    assertThat(store.parked(DeadLetterFilter.ALL, 2, 3, 10)).extracting(s -> s.letter().sequence()).containsExactly(3L, 65L);
  }

  @Test
  void marksRedrivenLettersWithTimeAndAnotherAttempt() throws Exception {
    commit(List.of(offline(1, 1, 10), offline(2, 1, 20)));
    store.markRedriven(List.of(2L), 777);
    StoredDeadLetter redriven = store.get(2).orElseThrow();
    assertThat(redriven.redrivenAtMillis()).isEqualTo(777);
    assertThat(redriven.letter().attempt()).isEqualTo(2);
    assertThat(store.get(1).orElseThrow().redrivenAtMillis()).isZero();
  }

  @Test
  void anotherConnectionSeesWhatWasCommittedAndTheViewSpellsItOut() throws Exception {
    List<DeadLetter> letters = new ArrayList<>();
    for (int s = 1; s <= 250; s++) {
      letters.add(offline(s, 7, s));
    }
    commit(letters);
    try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dir);
        var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDeadLetterStore.FILE_NAME));
        var rows = connection.createStatement().executeQuery(
            "select reason, type, payload, payload_length, origin from dead_letters where id = 250")) {
      assertThat(reader.stats().total()).isEqualTo(250);
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("USER_NOT_CONNECTED");
      assertThat(rows.getString(2)).isEqualTo("P");
      assertThat(rows.getString(3)).isEqualTo("250|P|1|7\n");
      assertThat(rows.getInt(4)).isEqualTo(10);
      assertThat(rows.getString(5)).isEqualTo("source#1 127.0.0.1:1");
    }
  }
}
