package io.followermaze.dlq.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.DeadLetterBlockWriter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.EventType;
import io.followermaze.testing.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDeadLetterStoreTest {

  @TempDir Path dir;
  private SqliteDeadLetterStore store;

  @BeforeEach
  void open() {
    store = TestStores.open(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Appends as the collector does, then indexes everything as the collector does at close. */
  private void commit(List<DeadLetter> letters) {
    TestStores.commit(store, letters);
  }

  private void indexAll() {
    TestStores.indexAll(store);
  }

  private long sql(String query) throws Exception {
    try (var connection =
            DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve(SqliteDeadLetterStore.FILE_NAME));
        var row = connection.createStatement().executeQuery(query)) {
      row.next();
      return row.getLong(1);
    }
  }

  private static DeadLetter offline(long sequence, int recipient, long time) {
    return TestStores.offline(sequence, recipient, time);
  }

  @Test
  void aCommittedBlockIsCountedAtOnceAndListedOnceIndexedExactlyOnce() {
    store.append(List.of(DeadLetterBlock.of(List.of(offline(1, 1, 10), offline(2, 1, 20)))));
    store.append(List.of(DeadLetterBlock.of(offline(3, 1, 30))));
    assertThat(store.count(DeadLetterFilter.ALL)).isEqualTo(3);
    assertThat(store.awaitingIndex()).isEqualTo(3);
    assertThat(store.stats().awaitingIndex()).isEqualTo(3);
    assertThat(store.list(DeadLetterFilter.ALL, 0, 10)).isEmpty();

    assertThat(store.runDeferredWork(true)).as("a pass was indexed").isTrue();
    assertThat(store.runDeferredWork(true)).as("nothing left").isFalse();
    assertThat(store.list(DeadLetterFilter.ALL, 0, 10))
        .extracting(s -> s.letter().sequence())
        .containsExactly(1L, 2L, 3L);
    assertThat(store.awaitingIndex()).isZero();
    assertThat(store.count(DeadLetterFilter.ALL)).isEqualTo(3);
  }

  @Test
  void waitsForMoreLettersBeforeIndexingUnlessForced() {
    store.append(List.of(DeadLetterBlock.of(offline(1, 1, System.currentTimeMillis()))));
    assertThat(store.runDeferredWork(false)).as("too few, too recent").isFalse();
    assertThat(store.awaitingIndex()).isEqualTo(1);
    assertThat(store.runDeferredWork(true)).isTrue();
    assertThat(store.awaitingIndex()).isZero();
  }

  @Test
  void keepsEveryFieldOfEveryShapeOfLetterExactly() {
    byte[] invalid = {'7', '|', 'S', '|', (byte) 0xff, '\n'};
    List<DeadLetter> letters =
        List.of(
            offline(3, 42, 1_000),
            new DeadLetter(
                Reason.INVALID_UTF8,
                invalid,
                invalid.length,
                7,
                DeadLetter.NONE,
                null,
                2_000,
                "source#2 x",
                1,
                "not valid UTF-8"),
            new DeadLetter(
                Reason.LINE_TOO_LONG,
                "12|S|999".getBytes(),
                5000,
                12,
                DeadLetter.NONE,
                null,
                3_000,
                "source#2 x",
                1,
                "too long"),
            DeadLetter.gap(20, "source#2 x", 4_000, "sequences 20..25 skipped"),
            new DeadLetter(
                Reason.CLIENT_TOO_SLOW,
                "9|B\n".getBytes(),
                4,
                9,
                5,
                EventType.BROADCAST,
                5_000,
                "client 5 y",
                3,
                "buffer full"));
    commit(letters);

    List<StoredDeadLetter> stored = store.list(DeadLetterFilter.ALL, 0, 100);
    Map<Reason, StoredDeadLetter> byReason =
        stored.stream().collect(Collectors.toMap(s -> s.letter().reason(), Function.identity()));
    assertThat(stored).hasSize(5);
    for (DeadLetter expected : letters) {
      StoredDeadLetter actual = byReason.get(expected.reason());
      assertThat(actual.letter()).usingRecursiveComparison().isEqualTo(expected);
      assertThat(store.get(actual.id())).get().usingRecursiveComparison().isEqualTo(actual);
    }
    assertThat(stored).extracting(StoredDeadLetter::id).isSorted().doesNotHaveDuplicates();
    assertThat(store.get(1L << 40)).isEmpty();
  }

  @Test
  void storesAnEventOnceHoweverManyRecipientsItMissed() throws Exception {
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
    Event event = (Event) EventParser.parse("1234567|S|321\n".getBytes());
    for (int follower = 1_000; follower < 3_000; follower++) {
      writer.undeliverable(
          Reason.USER_NOT_CONNECTED, event, follower, "source#1", 1_700_000_000_000L);
    }
    DeadLetterBlock block = writer.take();
    assertThat(block.bytes()).as("~2 bytes per recipient in flight").isLessThan(2_000 * 3);
    store.append(List.of(block));
    indexAll();

    assertThat(sql("select count(*) from dlq_event")).isEqualTo(1);
    assertThat(sql("select sum(events) from dlq_event")).isEqualTo(1);
    assertThat(sql("select sum(letters) from dlq_pointer")).isEqualTo(2_000);
    assertThat(store.count(DeadLetterFilter.ALL)).isEqualTo(2_000);
    assertThat(store.list(DeadLetterFilter.ALL.forRecipient(2_999), 0, 10))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.letter().sequence()).isEqualTo(1234567);
              assertThat(s.letter().recipient()).isEqualTo(2_999);
              assertThat(s.letter().payload()).isEqualTo(event.line());
            });
  }

  @Test
  void filtersByReasonRecipientSequenceAndTime() {
    List<DeadLetter> letters = new ArrayList<>();
    for (int s = 1; s <= 100; s++) {
      letters.add(offline(s, s % 4, s * 1000L));
    }
    letters.add(DeadLetter.gap(500, "source", 500_000, "gap"));
    commit(letters);

    assertThat(store.list(DeadLetterFilter.ALL.withReasons(Set.of(Reason.SEQUENCE_GAP)), 0, 10))
        .hasSize(1);
    assertThat(store.list(DeadLetterFilter.ALL.forRecipient(3), 0, 1000))
        .hasSize(25)
        .allSatisfy(s -> assertThat(s.letter().recipient()).isEqualTo(3));
    DeadLetterFilter range = new DeadLetterFilter(Set.of(), null, 10L, 19L, null, null);
    assertThat(store.list(range, 0, 1000))
        .extracting(s -> s.letter().sequence())
        .containsExactlyInAnyOrder(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
    DeadLetterFilter time =
        new DeadLetterFilter(
            Set.of(), null, null, null, Instant.ofEpochMilli(50_000), Instant.ofEpochMilli(52_000));
    assertThat(store.list(time, 0, 1000))
        .extracting(s -> s.letter().sequence())
        .containsExactlyInAnyOrder(50L, 51L);
    List<StoredDeadLetter> all = store.list(DeadLetterFilter.ALL, 0, 1000);
    assertThat(all).hasSize(101);
    assertThat(store.list(DeadLetterFilter.ALL, all.get(94).id(), 1000)).hasSize(6);
    assertThat(store.newest(DeadLetterFilter.ALL, 3))
        .containsExactlyElementsOf(all.subList(98, 101));
    assertThat(store.count(range)).isEqualTo(10);
  }

  @Test
  void countsComeFromCountersAndPurgeRemovesPointersThenEvents() throws Exception {
    commit(List.of(offline(1, 1, 10), offline(2, 2, 20), DeadLetter.gap(3, "s", 30, "gap")));
    store.append(List.of(DeadLetterBlock.of(List.of(offline(4, 2, 40), offline(5, 3, 50)))));
    DeadLetterStats stats = store.stats();
    assertThat(stats.total()).isEqualTo(5);
    assertThat(stats.byReason())
        .containsEntry(Reason.USER_NOT_CONNECTED, 4L)
        .containsEntry(Reason.SEQUENCE_GAP, 1L);
    assertThat(stats.oldestMillis()).isEqualTo(10);
    assertThat(stats.newestMillis()).isEqualTo(50);
    assertThat(stats.bytesOnDisk()).isPositive();

    assertThat(store.purge(DeadLetterFilter.ALL.forRecipient(2)))
        .as("one indexed, one not yet")
        .isEqualTo(2);
    assertThat(store.stats().total()).isEqualTo(3);
    indexAll();
    assertThat(store.list(DeadLetterFilter.ALL, 0, 10))
        .extracting(s -> s.letter().sequence())
        .containsExactlyInAnyOrder(1L, 3L, 5L);
    assertThat(sql("select count(*) from dlq_event e where e.live > 0"))
        .isEqualTo(sql("select count(*) from dlq_event"));

    assertThat(store.purge(DeadLetterFilter.ALL)).isEqualTo(3);
    assertThat(store.stats().total()).isZero();
    assertThat(sql("select count(*) from dlq_event")).as("no pointer left, no event left").isZero();
  }

  @Test
  void purgeOfSomeOfARowsLettersKeepsTheOthersAndTheirIds() {
    List<DeadLetter> letters = new ArrayList<>();
    for (int s = 1; s <= 10; s++) {
      letters.add(offline(s, 7, s));
    }
    commit(letters);
    List<StoredDeadLetter> before = store.list(DeadLetterFilter.ALL, 0, 100);

    assertThat(store.purge(new DeadLetterFilter(Set.of(), 7, 3L, 5L, null, null))).isEqualTo(3);

    assertThat(store.list(DeadLetterFilter.ALL, 0, 100))
        .extracting(StoredDeadLetter::id)
        .containsExactlyElementsOf(
            before.stream()
                .filter(s -> s.letter().sequence() < 3 || s.letter().sequence() > 5)
                .map(StoredDeadLetter::id)
                .toList());
    assertThat(store.get(before.get(3).id())).isEmpty();
    assertThat(store.count(DeadLetterFilter.ALL)).isEqualTo(7);
  }

  @Test
  void retentionRemovesTheOldAndTheExcessAndCountsThem() {
    long now = 10 * 86_400_000L;
    for (int s = 1; s <= 10; s++) {
      commit(List.of(offline(s, 1, s <= 3 ? now - 2 * 86_400_000L : now)));
    }
    assertThat(store.applyRetention(now - 86_400_000L, 5)).isEqualTo(5);
    assertThat(store.list(DeadLetterFilter.ALL, 0, 100))
        .extracting(s -> s.letter().sequence())
        .containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(store.stats().removedByRetention()).isEqualTo(5);
    assertThat(store.stats().total()).isEqualTo(5);
  }

  @Test
  void retentionAlsoRemovesLettersNotYetIndexed() {
    store.append(List.of(DeadLetterBlock.of(List.of(offline(1, 1, 10), offline(2, 1, 20)))));
    assertThat(store.applyRetention(1_000, Long.MAX_VALUE)).isEqualTo(2);
    assertThat(store.stats().total()).isZero();
    assertThat(store.awaitingIndex()).isZero();
  }

  @Test
  void parkedLettersComeUserByUserInSequenceOrderAcrossPasses() {
    commit(List.of(offline(65, 2, 10), offline(70, 2, 11), offline(5, 1, 12)));
    DeadLetter lost =
        new DeadLetter(
            Reason.CONNECTION_LOST,
            "3|P|1|2\n".getBytes(),
            8,
            3,
            2,
            EventType.PRIVATE_MESSAGE,
            13,
            "client#4",
            1,
            "connection reset");
    commit(List.of(lost, offline(66, 2, 14)));

    List<StoredDeadLetter> first = store.parked(DeadLetterFilter.ALL, ParkedCursor.START, 3);
    assertThat(first)
        .extracting(s -> s.letter().recipient() + ":" + s.letter().sequence())
        .containsExactly("1:5", "2:3", "2:65");
    assertThat(store.parked(DeadLetterFilter.ALL, ParkedCursor.at(first.getLast()), 10))
        .extracting(s -> s.letter().sequence())
        .containsExactly(66L, 70L);
    assertThat(store.parked(DeadLetterFilter.ALL.forRecipient(2), ParkedCursor.START, 10))
        .extracting(s -> s.letter().sequence())
        .containsExactly(3L, 65L, 66L, 70L);
  }

  @Test
  void aUsersParkedLettersAreAllFoundWhenMoreRowsThanAWindowStartAtOneNumber() {
    for (int pass = 0; pass < 70; pass++) {
      commit(
          List.of(
              new DeadLetter(
                  Reason.CONNECTION_LOST,
                  "5|B\n".getBytes(),
                  4,
                  5,
                  2,
                  EventType.BROADCAST,
                  pass,
                  "client#" + pass,
                  1,
                  "connection reset")));
    }
    assertThat(store.parked(DeadLetterFilter.ALL.forRecipient(2), ParkedCursor.START, 1_000))
        .hasSize(70)
        .extracting(s -> s.letter().origin())
        .doesNotHaveDuplicates();
  }

  @Test
  void redrivenLettersAreMarkedWithTimeAndAnotherAttemptAndAreNoLongerParked() {
    commit(List.of(offline(1, 1, 10), offline(2, 1, 20)));
    List<StoredDeadLetter> parked = store.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10);
    store.markRedriven(List.of(parked.get(1).id()), 777);
    StoredDeadLetter redriven = store.get(parked.get(1).id()).orElseThrow();
    assertThat(redriven.redrivenAtMillis()).isEqualTo(777);
    assertThat(redriven.letter().attempt()).isEqualTo(2);
    assertThat(store.get(parked.get(0).id()).orElseThrow().redrivenAtMillis()).isZero();
    assertThat(store.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10))
        .extracting(s -> s.letter().sequence())
        .containsExactly(1L);
  }

  @Test
  void anotherConnectionSeesWhatWasCommittedAndTheViewsSpellItOut() throws Exception {
    List<DeadLetter> letters = new ArrayList<>();
    for (int s = 1; s <= 250; s++) {
      letters.add(offline(s, 7, s));
    }
    commit(letters);
    try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dir);
        var connection =
            DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve(SqliteDeadLetterStore.FILE_NAME));
        var counts =
            connection.createStatement().executeQuery("select reason, letters from dlq_counts");
        var lines = connection.createStatement().executeQuery("select lines from dlq_events")) {
      assertThat(reader.stats().total()).isEqualTo(250);
      assertThat(counts.next()).isTrue();
      assertThat(counts.getString(1)).isEqualTo("USER_NOT_CONNECTED");
      assertThat(counts.getLong(2)).isEqualTo(250);
      assertThat(lines.next()).isTrue();
      assertThat(lines.getString(1)).startsWith("1|P|1|7\n2|P|1|7\n").endsWith("250|P|1|7\n");
    }
  }

  @Test
  void aDamagedPointerRowIsRefusedWithAClearErrorNeverMisread() throws Exception {
    commit(List.of(offline(1, 1, 10), offline(2, 1, 20)));
    try (var connection =
        DriverManager.getConnection(
            "jdbc:sqlite:" + dir.resolve(SqliteDeadLetterStore.FILE_NAME))) {
      connection.createStatement().execute("update dlq_pointer set letters = 2000000000");
    }
    assertThatThrownBy(() -> store.list(DeadLetterFilter.ALL, 0, 10))
        .hasMessageContaining("damaged");
  }

  @Test
  void aStoreWrittenByTheOlderVersionIsRefusedWithWhatToDo() throws Exception {
    Path old = dir.resolve("old");
    Files.createDirectories(old);
    try (var connection =
        DriverManager.getConnection(
            "jdbc:sqlite:" + old.resolve(SqliteDeadLetterStore.FILE_NAME))) {
      connection
          .createStatement()
          .execute("create table dead_letter (id integer primary key, kind integer)");
    }
    assertThatThrownBy(() -> SqliteDeadLetterStore.open(old))
        .hasMessageContaining("older version")
        .hasMessageContaining("Move it aside");
  }
}
