package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.agrona.collections.Long2LongHashMap;

/**
 * Retention and purge on the store-once model: a pointer goes, and an event chunk goes when no
 * pointer into it is left ({@code live} reaches 0); only indexed letters are removed (the store
 * indexes what retention or a purge reaches first, so that memory stays bounded by what an indexing
 * pass holds). Counts are adjusted in the same transaction. Call inside a write transaction.
 */
final class LetterRemover {

  private static final int ROWS_PER_QUERY = 1_000;

  private final SqliteDatabase db;
  private final LetterReader reader;
  private final Map<Reason, Long> removedByReason = new EnumMap<>(Reason.class);
  private final Long2LongHashMap chunkDecrements = new Long2LongHashMap(0);
  private long[] chunkStarts;
  private long removed;

  LetterRemover(SqliteDatabase db, LetterReader reader) {
    this.db = db;
    this.reader = reader;
  }

  /**
   * Removes letters older than {@code olderThanMillis}, then the oldest beyond {@code maxLetters}.
   */
  long retain(long olderThanMillis, long maxLetters) throws SQLException {
    List<PointerRow> rows;
    do {
      rows = pointerRows("WHERE last_ms < ? ORDER BY id LIMIT " + ROWS_PER_QUERY, olderThanMillis);
      rows.forEach(this::removeRow);
    } while (rows.size() == ROWS_PER_QUERY);
    long excess =
        db.single("SELECT coalesce(sum(letters), 0) FROM dlq_count", s -> {})
            - removed
            - maxLetters;
    while (excess > 0) {
      rows = pointerRows("WHERE id > ? ORDER BY id LIMIT 64", 0);
      if (rows.isEmpty()) {
        break;
      }
      for (PointerRow row : rows) {
        if (excess <= 0) {
          break;
        }
        excess -= row.live();
        removeRow(row);
      }
    }
    return finish();
  }

  /** Removes every indexed letter matching {@code filter}. */
  long purge(DeadLetterFilter filter) throws SQLException {
    reader.rows(
        filter,
        0,
        true,
        row -> {
          BitSet positions = new BitSet();
          reader.visit(
              row,
              filter,
              letter -> {
                positions.set(Pointers.position(letter.id()));
                return true;
              });
          removePositions(row, positions);
          return true;
        });
    return finish();
  }

  private void removePositions(PointerRow row, BitSet positions) {
    if (positions.isEmpty()) {
      return;
    }
    if (positions.cardinality() == row.live()) {
      removeRow(row);
      return;
    }
    long[] events = row.eventNumbers();
    for (int p = positions.nextSetBit(0); p >= 0; p = positions.nextSetBit(p + 1)) {
      chunkDecrements.put(chunkOf(events[p]), chunkDecrements.get(chunkOf(events[p])) + 1);
    }
    BitSet removedNow = row.removedPositions();
    removedNow.or(positions);
    int gone = positions.cardinality();
    count(row.reason(), gone);
    run(
        () ->
            db.update(
                "UPDATE dlq_pointer SET live = live - ?, removed = ? WHERE id = ?",
                s -> {
                  s.setInt(1, gone);
                  s.setBytes(2, Pointers.encodeRemoved(removedNow));
                  s.setLong(3, row.id());
                }));
  }

  private void removeRow(PointerRow row) {
    long[] events = row.eventNumbers();
    BitSet gone = row.removedPositions();
    for (int p = 0; p < events.length; p++) {
      if (!gone.get(p)) {
        chunkDecrements.put(chunkOf(events[p]), chunkDecrements.get(chunkOf(events[p])) + 1);
      }
    }
    count(row.reason(), row.live());
    run(() -> db.update("DELETE FROM dlq_pointer WHERE id = ?", s -> s.setLong(1, row.id())));
    run(
        () ->
            db.update(
                "DELETE FROM dlq_redriven WHERE letter BETWEEN ? AND ?",
                s -> {
                  s.setLong(1, Pointers.letterId(row.id(), 0));
                  s.setLong(2, Pointers.letterId(row.id(), Pointers.MAX_PER_ROW - 1));
                }));
  }

  private void count(Reason reason, long letters) {
    removedByReason.merge(reason, letters, Long::sum);
    removed += letters;
  }

  private long finish() throws SQLException {
    for (Map.Entry<Reason, Long> entry : removedByReason.entrySet()) {
      SqliteSchema.count(db, entry.getKey(), -entry.getValue());
    }
    for (Long2LongHashMap.KeyIterator it = chunkDecrements.keySet().iterator(); it.hasNext(); ) {
      long chunk = it.nextValue();
      long gone = chunkDecrements.get(chunk);
      db.update(
          "UPDATE dlq_event SET live = live - ? WHERE first_event = ?",
          s -> {
            s.setLong(1, gone);
            s.setLong(2, chunk);
          });
    }
    db.update("DELETE FROM dlq_event WHERE live <= 0", s -> {});
    reader.forget();
    long total = removed;
    removedByReason.clear();
    chunkDecrements.clear();
    removed = 0;
    return total;
  }

  private long chunkOf(long event) {
    if (chunkStarts == null) {
      chunkStarts =
          run(
                  () ->
                      db.rows(
                          "SELECT first_event FROM dlq_event ORDER BY first_event",
                          s -> {},
                          r -> r.getLong(1)))
              .stream()
              .mapToLong(Long::longValue)
              .toArray();
    }
    int at = Arrays.binarySearch(chunkStarts, event);
    return at >= 0 ? chunkStarts[at] : at == -1 ? -1 : chunkStarts[-at - 2];
  }

  private List<PointerRow> pointerRows(String condition, long value) throws SQLException {
    return db.rows(
        "SELECT " + PointerRow.COLUMNS + " FROM dlq_pointer " + condition,
        s -> s.setLong(1, value),
        PointerRow::read);
  }

  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  private static <T> T run(SqlWork<T> work) {
    try {
      return work.run();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
