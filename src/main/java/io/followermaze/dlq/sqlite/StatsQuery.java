package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.Reason;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The store's figures for triage: counts by reason (the counters each commit adds to), oldest and
 * newest letters (row bounds), letters awaiting indexing and the last id: from counters and
 * indexes, never a scan of the letters, so they answer in milliseconds at any size.
 */
final class StatsQuery {

  private final SqliteDatabase db;
  private final LetterReader reader;

  StatsQuery(SqliteDatabase db, LetterReader reader) {
    this.db = db;
    this.reader = reader;
  }

  /** Letters committed but not yet indexed (counted in {@link #stats()}, not yet listed). */
  long awaitingIndex() {
    return db.read(
        "count letters awaiting indexing",
        () -> db.single("SELECT coalesce(sum(letters), 0) FROM dlq_inbox", s -> {}));
  }

  /**
   * How many letters match {@code filter}: from the counts (every committed letter) when it filters
   * by reason at most, else by reading the indexed letters it cannot rule out.
   */
  long count(DeadLetterFilter filter) {
    if (filter.byReasonOnly()) {
      Map<Reason, Long> counts = counts();
      return counts.entrySet().stream()
          .filter(
              e ->
                  filter.reasons() == null
                      || filter.reasons().isEmpty()
                      || filter.reasons().contains(e.getKey()))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
    return db.read("count dead letters", () -> reader.count(filter));
  }

  /**
   * Whether retention to {@code olderThanMillis} and {@code maxLetters} would remove letters still
   * in the inbox: some waiting there are that old, or there are more letters than the indexed ones
   * could make up for.
   */
  boolean retentionReachesInbox(long olderThanMillis, long maxLetters) {
    return db.read(
        "check what retention reaches",
        () ->
            db.single(
                    "SELECT EXISTS (SELECT 1 FROM dlq_inbox WHERE first_ms < ?)"
                        + " OR (SELECT coalesce(sum(letters), 0) FROM dlq_count) > ?",
                    s -> {
                      s.setLong(1, olderThanMillis);
                      s.setLong(2, maxLetters);
                    })
                != 0);
  }

  /** The highest letter id so far, or 0. */
  long lastId() {
    return db.read(
        "read the last id",
        () -> {
          List<Long> last =
              db.rows(
                  "SELECT id, letters FROM dlq_pointer ORDER BY id DESC LIMIT 1",
                  s -> {},
                  r -> Pointers.letterId(r.getLong(1), r.getInt(2) - 1));
          return last.isEmpty() ? 0L : last.getFirst();
        });
  }

  private Map<Reason, Long> counts() {
    return db.read(
        "read the counts",
        () -> {
          Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
          db.rows(
              "SELECT reason, letters FROM dlq_count WHERE letters > 0",
              s -> {},
              r -> byReason.put(Reason.ofCode(r.getInt(1)), r.getLong(2)));
          return byReason;
        });
  }

  /**
   * Counts by reason, oldest and newest, size on disk: from counters and row bounds, never a scan.
   */
  DeadLetterStats stats() {
    return db.read(
        "read statistics",
        () -> {
          Map<Reason, Long> byReason = counts();
          long total = byReason.values().stream().mapToLong(Long::longValue).sum();
          long oldest =
              min(
                  db.single("SELECT min(first_ms) FROM dlq_pointer", s -> {}),
                  db.single("SELECT min(first_ms) FROM dlq_inbox", s -> {}));
          long newest =
              Math.max(
                  db.single("SELECT max(last_ms) FROM dlq_pointer", s -> {}),
                  db.single("SELECT max(last_ms) FROM dlq_inbox", s -> {}));
          long removed =
              db.single("SELECT value FROM meta WHERE key = 'removed_by_retention'", s -> {});
          long awaiting = db.single("SELECT coalesce(sum(letters), 0) FROM dlq_inbox", s -> {});
          return new DeadLetterStats(
              byReason,
              total,
              total == 0 ? 0 : oldest,
              total == 0 ? 0 : newest,
              SqliteDeadLetterStore.bytesOnDisk(db.file()),
              removed,
              awaiting);
        });
  }

  /**
   * The time of the oldest letter of each reason that has any (epoch ms): what an operator alerts
   * on.
   */
  Map<Reason, Long> oldestByReason() {
    return db.read(
        "read the oldest letters",
        () -> {
          Map<Reason, Long> oldest = new EnumMap<>(Reason.class);
          for (Reason reason : counts().keySet()) {
            long indexed =
                db.single(
                    "SELECT min(first_ms) FROM dlq_pointer WHERE reason = ?",
                    s -> s.setInt(1, reason.code()));
            oldest.put(reason, indexed);
          }
          long inbox = db.single("SELECT min(first_ms) FROM dlq_inbox", s -> {});
          if (inbox > 0) {
            oldest.replaceAll((reason, time) -> min(time, inbox));
          }
          return oldest;
        });
  }

  private static long min(long a, long b) {
    return a == 0 ? b : b == 0 ? a : Math.min(a, b);
  }
}
