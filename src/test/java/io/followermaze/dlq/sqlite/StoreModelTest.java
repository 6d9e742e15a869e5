package io.followermaze.dlq.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.DeadLetterBlockWriter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.testing.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SQLite store against a plain in-memory model of it, under seeded random sequences of
 * operations: appends (every reason, user ids 0, 1 and 2^31 - 1 among them, fan-outs from 1 up),
 * index passes, purges by every filter, retention by age and by count, redrive marks, close and
 * reopen, a crash (the files as a {@code kill -9} leaves them) and reopen, and "disk full" made
 * deterministic with {@code PRAGMA max_page_count}, then room again. After every step: counts,
 * listing by filters, {@code show}, parked letters, ids strictly increasing and never reused, every
 * letter exactly once (listed or still awaiting indexing).
 *
 * <p>A failure names its seed; {@code -Dseed=N} replays that one ({@link Seeds}).
 */
class StoreModelTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final int[] USERS = {
    0, 1, 2, 3, 7, 1 << 20, Integer.MAX_VALUE - 1, Integer.MAX_VALUE
  };
  private static final Reason[] UNDELIVERABLE = {
    Reason.USER_NOT_CONNECTED, Reason.CONNECTION_LOST, Reason.CLIENT_TOO_SLOW
  };

  /** Every reason of a letter without a recipient: malformed, sequencing, internal. */
  private static final Reason[] NO_RECIPIENT =
      java.util.Arrays.stream(Reason.values())
          .filter(r -> r.category() != Reason.Category.UNDELIVERABLE)
          .toArray(Reason[]::new);

  @TempDir Path dir;

  static LongStream seeds() {
    return Seeds.stream("store model", 500);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theStoreAgreesWithTheModelAfterEveryStep(long seed) throws Exception {
    Seeds.replayable(seed, () -> new Run(seed, dir, 20, 300).go());
  }

  /**
   * A celebrity's status update to a million offline followers, waiting for indexing, then a purge
   * of something else, retention by count and a purge of one follower: the counts stay exact and
   * nothing is decoded into a letter object per recipient (the purge indexes first, pass by pass).
   */
  @Test
  void aMillionLetterFanOutWaitingForIndexingIsPurgedAndRetainedExactly() {
    SqliteDeadLetterStore store = SqliteDeadLetterStore.open(dir);
    try {
      DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
      Event event = (Event) EventParser.parse("5|S|42\n".getBytes());
      for (int follower = 0; follower < 1_000_000; follower++) {
        writer.undeliverable(Reason.USER_NOT_CONNECTED, event, follower, "source#1", T0);
      }
      byte[] empty = "4|".getBytes(StandardCharsets.UTF_8);
      writer.add(
          new DeadLetter(
              Reason.EMPTY_LINE, empty, 2, 4, DeadLetter.NONE, null, T0, "source#1", 1, "x"));
      store.append(List.of(writer.take()));
      assertThat(store.awaitingIndex()).isEqualTo(1_000_001);

      assertThat(store.purge(DeadLetterFilter.ALL.withReasons(Set.of(Reason.EMPTY_LINE))))
          .isEqualTo(1);
      assertThat(store.awaitingIndex()).as("the purge indexed what waited").isZero();
      assertThat(store.count(DeadLetterFilter.ALL)).isEqualTo(1_000_000);
      assertThat(store.list(DeadLetterFilter.ALL.forRecipient(Integer.MAX_VALUE), 0, 10)).isEmpty();
      assertThat(store.list(DeadLetterFilter.ALL.forRecipient(999_999), 0, 10))
          .singleElement()
          .satisfies(s -> assertThat(s.letter().sequence()).isEqualTo(5));

      assertThat(store.purge(DeadLetterFilter.ALL.forRecipient(999_999))).isEqualTo(1);
      assertThat(store.count(DeadLetterFilter.ALL)).isEqualTo(999_999);
      long removed = store.applyRetention(0, 900_000);
      assertThat(removed).isEqualTo(999_999 - store.count(DeadLetterFilter.ALL));
      assertThat(store.count(DeadLetterFilter.ALL))
          .isLessThanOrEqualTo(900_000)
          .isGreaterThan(900_000 - Pointers.MAX_PER_ROW);
    } finally {
      store.close();
    }
  }

  /** A letter as the model knows it: what the store must give back. */
  private record Letter(DeadLetter letter, String key) {}

  /** One seeded run: the store, the model and the steps. */
  private static final class Run {
    private final Random random;
    private final Path root;
    private final int steps;
    private final int maxFanOut;
    private Path dir;
    private int generation;
    private SqliteDeadLetterStore store;
    private boolean full;

    // The model: every committed letter by key, which are redriven, and what ids the store gave.
    private final Map<String, Letter> letters = new LinkedHashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    private final Map<Long, String> keys = new HashMap<>();
    private final Set<String> redriven = new HashSet<>();
    private final Set<Long> goneIds = new HashSet<>();
    private final Map<Long, Long> rowNewest = new HashMap<>();
    private boolean unseenRemovals;
    private long highestId;
    private long serial;
    private long clock = T0;
    private final List<String> log = new ArrayList<>();

    Run(long seed, Path root, int steps, int maxFanOut) {
      this.random = new Random(seed);
      this.root = root;
      this.steps = steps;
      this.maxFanOut = maxFanOut;
    }

    void go() throws Exception {
      dir = root.resolve("store-" + generation);
      store = open();
      try {
        for (int i = 0; i < steps; i++) {
          int choice = random.nextInt(100);
          if (choice < 30) {
            step("append", this::appendSome);
          } else if (choice < 42) {
            step("index one pass", () -> store.runDeferredWork(true));
          } else if (choice < 50) {
            step("index all", this::indexAll);
          } else if (choice < 60) {
            step("purge", this::purge);
          } else if (choice < 66) {
            step("retention by age", this::retainByAge);
          } else if (choice < 71) {
            step("retention by count", this::retainByCount);
          } else if (choice < 79) {
            step("mark redriven", this::markRedriven);
          } else if (choice < 84) {
            step("close and reopen", this::reopen);
          } else if (choice < 89) {
            step("crash and reopen", this::crash);
          } else if (choice < 95) {
            step("disk full", this::fillDisk);
          } else {
            step("room again", this::room);
          }
        }
        step("room again", this::room);
        step("index all", this::indexAll);
        assertThat(store.awaitingIndex()).as("everything indexed at the end").isZero();
      } finally {
        store.close();
      }
    }

    private SqliteDeadLetterStore open() {
      return SqliteDeadLetterStore.open(
          dir, false, new SqliteDeadLetterStore.Retention(Duration.ofDays(1), Long.MAX_VALUE));
    }

    private interface Step {
      void run() throws Exception;
    }

    private void step(String name, Step step) throws Exception {
      log.add(name);
      try {
        step.run();
      } catch (IllegalStateException e) {
        if (!(full && String.valueOf(e.getMessage()).contains("disk full"))) {
          throw new AssertionError("step " + log.size() + " (" + name + ") failed: " + e, e);
        }
        log.add("  (disk full: nothing changed)");
      }
      check(name);
    }

    // ---- operations -----------------------------------------------------------------------

    private void appendSome() {
      List<DeadLetterBlock> blocks = new ArrayList<>();
      List<Letter> added = new ArrayList<>();
      for (int b = 1 + random.nextInt(3); b > 0; b--) {
        DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
        for (int e = 1 + random.nextInt(4); e > 0; e--) {
          if (random.nextInt(3) == 0) {
            added.add(noRecipient(writer));
          } else {
            added.addAll(undeliverable(writer, fanOutSize()));
          }
        }
        blocks.add(writer.take());
      }
      store.append(blocks);
      added.forEach(letter -> letters.put(letter.key(), letter));
    }

    private int fanOutSize() {
      int kind = random.nextInt(20);
      return kind < 14 ? 1 : kind < 19 ? 1 + random.nextInt(20) : 1 + random.nextInt(maxFanOut);
    }

    private long tick() {
      clock += random.nextInt(10) == 0 ? -random.nextInt(5_000) : random.nextInt(2_000);
      return clock;
    }

    private Letter noRecipient(DeadLetterBlockWriter writer) {
      Reason reason = NO_RECIPIENT[random.nextInt(NO_RECIPIENT.length)];
      long id = ++serial;
      byte[] line = ("x" + id + "|" + reason.name()).getBytes(StandardCharsets.UTF_8);
      long sequence = random.nextInt(4) == 0 ? DeadLetter.NONE : id;
      DeadLetter letter =
          new DeadLetter(
              reason,
              line,
              line.length + random.nextInt(2) * 100,
              sequence,
              DeadLetter.NONE,
              null,
              tick(),
              "source#" + random.nextInt(3) + " 127.0.0.1:1",
              1,
              "why " + id);
      writer.add(letter);
      return new Letter(letter, key(letter));
    }

    private List<Letter> undeliverable(DeadLetterBlockWriter writer, int fanOut) {
      Reason reason = UNDELIVERABLE[random.nextInt(UNDELIVERABLE.length)];
      long id = ++serial;
      Event event = (Event) EventParser.parse((id + "|S|" + random.nextInt(9) + "\n").getBytes());
      long time = tick();
      String origin = random.nextBoolean() ? "source#1 127.0.0.1:1" : "redrive";
      List<Letter> added = new ArrayList<>();
      for (int recipient : recipients(fanOut)) {
        writer.undeliverable(reason, event, recipient, origin, time);
        DeadLetter letter =
            DeadLetter.undeliverable(reason, event, recipient, origin, time, reason.usualError());
        added.add(new Letter(letter, key(letter)));
      }
      return added;
    }

    private int[] recipients(int count) {
      Set<Integer> chosen = new LinkedHashSet<>();
      for (int user : USERS) {
        if (chosen.size() < count && random.nextInt(3) == 0) {
          chosen.add(user);
        }
      }
      while (chosen.size() < count) {
        chosen.add(
            random.nextInt(4) == 0 ? random.nextInt(Integer.MAX_VALUE) : random.nextInt(5_000));
      }
      return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private void indexAll() {
      for (int passes = 0; store.runDeferredWork(true); passes++) {
        assertThat(passes).as("index passes end").isLessThan(10_000);
      }
    }

    private void purge() {
      DeadLetterFilter filter = randomFilter();
      long removed = store.purge(filter);
      List<String> gone =
          letters.values().stream()
              .filter(l -> filter.matches(l.letter()))
              .map(Letter::key)
              .toList();
      assertThat(removed).as("purged by " + filter).isEqualTo(gone.size());
      gone.forEach(this::forget);
    }

    private void retainByAge() {
      if (full) {
        return; // what it removed could not be known: the indexing below would fail
      }
      long cutoff = clock - random.nextInt(60_000);
      Set<String> before = new HashSet<>(letters.keySet());
      long removed = store.applyRetention(cutoff, Long.MAX_VALUE);
      indexAll(); // to see which letters are left
      Map<String, StoredDeadLetter> now = listAll();
      Set<String> gone = new HashSet<>(before);
      gone.removeAll(now.keySet());
      assertThat(removed).as("retention's count").isEqualTo(gone.size());
      for (String key : gone) {
        assertThat(letters.get(key).letter().timestampMillis())
            .as("only letters older than the cutoff go")
            .isLessThan(cutoff);
      }
      now.values()
          .forEach(
              kept ->
                  rowNewest.merge(
                      Pointers.row(kept.id()), kept.letter().timestampMillis(), Math::max));
      for (StoredDeadLetter kept : now.values()) {
        // A row goes whole: an old letter stays only in a row that had a newer one, maybe purged
        // since (unless letters were removed before a listing saw which row they were in).
        if (kept.letter().timestampMillis() < cutoff && !unseenRemovals) {
          assertThat(rowNewest.getOrDefault(Pointers.row(kept.id()), Long.MIN_VALUE))
              .as("an old letter stays only in a row with a newer one: " + kept)
              .isGreaterThanOrEqualTo(cutoff);
        }
      }
      gone.forEach(this::forget);
    }

    private void retainByCount() {
      if (full) {
        return; // what it removed could not be known: the indexing below would fail
      }
      long max = letters.isEmpty() ? 0 : random.nextInt(letters.size() + 1);
      Set<String> before = new HashSet<>(letters.keySet());
      long removed = store.applyRetention(0, max);
      indexAll(); // to see which letters are left
      Map<String, StoredDeadLetter> now = listAll();
      Set<String> gone = new HashSet<>(before);
      gone.removeAll(now.keySet());
      assertThat(removed).as("retention's count").isEqualTo(gone.size());
      assertThat((long) now.size()).as("at most the maximum left").isLessThanOrEqualTo(max);
      assertThat((long) now.size())
          .as("whole rows go, no more")
          .isGreaterThan(Math.min(before.size(), max) - Pointers.MAX_PER_ROW);
      long newestGone =
          gone.stream()
              .filter(ids::containsKey) // letters removed before anybody listed them have none
              .mapToLong(k -> Pointers.row(ids.get(k)))
              .max()
              .orElse(-1);
      long oldestKept =
          now.values().stream().mapToLong(s -> Pointers.row(s.id())).min().orElse(Long.MAX_VALUE);
      assertThat(newestGone).as("the oldest rows go first").isLessThan(oldestKept);
      gone.forEach(this::forget);
    }

    private void markRedriven() {
      List<Long> chosen = new ArrayList<>();
      for (Map.Entry<String, Long> entry : ids.entrySet()) {
        if (random.nextInt(4) == 0 && chosen.size() < 50) {
          chosen.add(entry.getValue());
        }
      }
      store.markRedriven(chosen, clock);
      chosen.forEach(id -> redriven.add(keys.get(id)));
    }

    private void reopen() {
      store.close();
      store = open();
      full = false;
    }

    /** Copies the files as they are (no close, no checkpoint) and opens the copy. */
    private void crash() throws IOException {
      Path copy = root.resolve("store-" + ++generation);
      Files.createDirectories(copy);
      for (String suffix : new String[] {"", "-wal"}) {
        Path file = dir.resolve(SqliteDeadLetterStore.FILE_NAME + suffix);
        if (Files.exists(file)) {
          Files.copy(file, copy.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
      store.close();
      dir = copy;
      store = open();
      full = false;
    }

    private void fillDisk() throws Exception {
      store.database().exec("PRAGMA max_page_count = " + (pageCount() + random.nextInt(3)));
      full = true;
    }

    private void room() throws Exception {
      store.database().exec("PRAGMA max_page_count = 1073741823");
      full = false;
    }

    private long pageCount() throws Exception {
      return store.database().single("PRAGMA page_count", s -> {});
    }

    private void forget(String key) {
      letters.remove(key);
      redriven.remove(key);
      Long id = ids.remove(key);
      if (id != null) {
        keys.remove(id);
        goneIds.add(id);
      } else {
        unseenRemovals = true;
      }
    }

    private DeadLetterFilter randomFilter() {
      Set<Reason> reasons =
          random.nextInt(3) == 0
              ? EnumSet.of(Reason.values()[random.nextInt(Reason.values().length)])
              : random.nextInt(4) == 0 ? EnumSet.copyOf(List.of(UNDELIVERABLE)) : Set.of();
      Integer recipient =
          random.nextInt(4) == 0
              ? (random.nextBoolean() ? USERS[random.nextInt(USERS.length)] : -1)
              : null;
      Long from = random.nextInt(5) == 0 ? (long) random.nextInt((int) serial + 2) : null;
      Long to = random.nextInt(5) == 0 ? (long) random.nextInt((int) serial + 2) : null;
      Instant since =
          random.nextInt(5) == 0 ? Instant.ofEpochMilli(clock - random.nextInt(30_000)) : null;
      Instant until =
          random.nextInt(5) == 0 ? Instant.ofEpochMilli(clock - random.nextInt(30_000)) : null;
      if (random.nextInt(6) == 0) {
        return DeadLetterFilter.ALL;
      }
      return new DeadLetterFilter(reasons, recipient, from, to, since, until);
    }

    // ---- the law after every step ----------------------------------------------------------

    private void check(String after) {
      String where = "after step " + log.size() + " (" + after + "), steps " + log;
      Map<Reason, Long> counts = new EnumMap<>(Reason.class);
      letters.values().forEach(l -> counts.merge(l.letter().reason(), 1L, Long::sum));
      assertThat(store.stats().byReason()).as("counts by reason " + where).isEqualTo(counts);
      assertThat(store.count(DeadLetterFilter.ALL)).as("count " + where).isEqualTo(letters.size());

      Map<String, StoredDeadLetter> listed = listAll();
      assertThat(listed.size() + store.awaitingIndex())
          .as("every letter listed or awaiting indexing, once " + where)
          .isEqualTo(letters.size());
      long highestBefore = highestId;
      for (StoredDeadLetter stored : listed.values()) {
        String key = key(stored.letter());
        Long known = ids.get(key);
        if (known == null) {
          if (stored.id() <= highestBefore || goneIds.contains(stored.id())) {
            fail(
                "a new letter's id "
                    + stored.id()
                    + " is not above every id before ("
                    + highestBefore
                    + ") or was used before "
                    + where);
          }
          ids.put(key, stored.id());
          keys.put(stored.id(), key);
          rowNewest.merge(Pointers.row(stored.id()), stored.letter().timestampMillis(), Math::max);
          highestId = Math.max(highestId, stored.id());
        } else if (known != stored.id()) {
          fail(
              "letter "
                  + key
                  + " changed its id from "
                  + known
                  + " to "
                  + stored.id()
                  + " "
                  + where);
        }
        assertSame(stored, letters.get(key), where);
      }

      DeadLetterFilter filter = randomFilter();
      List<Long> expectedIds =
          listed.values().stream()
              .filter(s -> filter.matches(s.letter()))
              .map(StoredDeadLetter::id)
              .sorted()
              .toList();
      assertThat(page(filter)).as("list by " + filter + " " + where).isEqualTo(expectedIds);
      long expectedCount =
          filter.byReasonOnly()
              ? letters.values().stream().filter(l -> filter.matches(l.letter())).count()
              : expectedIds.size();
      assertThat(store.count(filter))
          .as("count by " + filter + " " + where)
          .isEqualTo(expectedCount);

      if (random.nextInt(8) == 0 || after.equals("index all")) {
        checkParked(listed, where);
      }

      for (int i = 0; i < 3 && !listed.isEmpty(); i++) {
        StoredDeadLetter some = new ArrayList<>(listed.values()).get(random.nextInt(listed.size()));
        assertThat(store.get(some.id()))
            .as("show " + some.id() + " " + where)
            .hasValueSatisfying(s -> assertSame(s, letters.get(key(s.letter())), where));
      }
      for (Long gone : goneIds.stream().limit(3).toList()) {
        assertThat(store.get(gone)).as("show a removed letter " + gone + " " + where).isEmpty();
      }
    }

    /** A redrive's walk: user by user, each user's in sequence order, not redriven. */
    private void checkParked(Map<String, StoredDeadLetter> listed, String where) {
      List<StoredDeadLetter> parked = new ArrayList<>();
      ParkedCursor cursor = ParkedCursor.START;
      for (List<StoredDeadLetter> window;
          !(window = store.parked(DeadLetterFilter.ALL, cursor, 1 + random.nextInt(500)))
              .isEmpty(); ) {
        parked.addAll(window);
        cursor = ParkedCursor.at(window.getLast());
        assertThat(parked.size()).as("parked ends " + where).isLessThanOrEqualTo(listed.size());
      }
      List<Long> expectedParked =
          listed.values().stream()
              .filter(s -> LetterReader.UNDELIVERABLE.contains(s.letter().reason()))
              .filter(s -> !redriven.contains(key(s.letter())))
              .sorted(
                  Comparator.comparingInt((StoredDeadLetter s) -> s.letter().recipient())
                      .thenComparingLong(s -> s.letter().sequence())
                      .thenComparingLong(StoredDeadLetter::id))
              .map(StoredDeadLetter::id)
              .toList();
      assertThat(parked.stream().map(StoredDeadLetter::id).toList())
          .as("parked, user by user in sequence order " + where)
          .isEqualTo(expectedParked);
    }

    private void assertSame(StoredDeadLetter stored, Letter expected, String where) {
      if (expected == null) {
        fail("listed a letter the model does not have: " + stored + " " + where);
      }
      DeadLetter want = expected.letter();
      DeadLetter got = stored.letter();
      boolean isRedriven = redriven.contains(expected.key());
      boolean same =
          got.reason() == want.reason()
              && Arrays.equals(got.payload(), want.payload())
              && got.payloadLength() == want.payloadLength()
              && got.sequence() == want.sequence()
              && got.recipient() == want.recipient()
              && got.type() == want.type()
              && got.timestampMillis() == want.timestampMillis()
              && Objects.equals(got.origin(), want.origin())
              && Objects.equals(got.error(), want.error())
              && got.attempt() == want.attempt() + (isRedriven ? 1 : 0)
              && (stored.redrivenAtMillis() != 0) == isRedriven;
      if (!same) {
        fail(
            "stored "
                + stored
                + " is not the model's "
                + want
                + " (redriven: "
                + isRedriven
                + ") "
                + where);
      }
    }

    private Map<String, StoredDeadLetter> listAll() {
      Map<String, StoredDeadLetter> listed = new LinkedHashMap<>();
      long after = 0;
      for (List<StoredDeadLetter> page;
          !(page = store.list(DeadLetterFilter.ALL, after, 10_000)).isEmpty(); ) {
        for (StoredDeadLetter stored : page) {
          if (stored.id() <= after) {
            fail("ids do not increase through a listing: " + stored.id() + " after " + after);
          }
          after = stored.id();
          if (listed.put(key(stored.letter()), stored) != null) {
            fail("listed twice: " + stored);
          }
        }
      }
      return listed;
    }

    private List<Long> page(DeadLetterFilter filter) {
      List<Long> result = new ArrayList<>();
      long after = 0;
      for (List<StoredDeadLetter> page;
          !(page = store.list(filter, after, 1 + random.nextInt(5_000))).isEmpty(); ) {
        page.forEach(s -> result.add(s.id()));
        after = page.getLast().id();
      }
      return result;
    }

    private static String key(DeadLetter letter) {
      return new String(letter.payload(), StandardCharsets.UTF_8).strip()
          + "@"
          + letter.recipient()
          + "/"
          + letter.reason();
    }
  }
}
