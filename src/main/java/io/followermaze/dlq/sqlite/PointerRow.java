package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A {@code dlq_pointer} row: one user's letters of one reason from one indexing pass.
 *
 * @param id the row id (letter ids are {@code id << 16 | position})
 * @param user the recipient, or -1 for letters without one
 * @param reason the letters' reason
 * @param letters pointers in the row, purged ones included
 * @param live pointers not purged
 * @param firstSeq the lowest sequence number pointed to
 * @param lastSeq the highest
 * @param firstMs the earliest letter time
 * @param lastMs the latest
 * @param firstEvent the first event number pointed to
 * @param lastEvent the last
 * @param events the pointers, encoded
 * @param removed the purged positions, encoded (null: none)
 */
record PointerRow(
    long id,
    int user,
    Reason reason,
    int letters,
    int live,
    long firstSeq,
    long lastSeq,
    long firstMs,
    long lastMs,
    long firstEvent,
    long lastEvent,
    byte[] events,
    byte[] removed) {

  static final String COLUMNS =
      "id, user, reason, letters, live, first_seq, last_seq, first_ms, last_ms, first_event, last_event, events, removed";

  static PointerRow read(ResultSet row) throws SQLException {
    Reason reason;
    try {
      reason = Reason.ofCode(row.getInt(3));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "dead-letter pointer row " + row.getLong(1) + " is damaged: " + e.getMessage(), e);
    }
    return new PointerRow(
        row.getLong(1),
        row.getInt(2),
        reason,
        row.getInt(4),
        row.getInt(5),
        row.getLong(6),
        row.getLong(7),
        row.getLong(8),
        row.getLong(9),
        row.getLong(10),
        row.getLong(11),
        row.getBytes(12),
        row.getBytes(13));
  }

  /** The event numbers, by position. */
  long[] eventNumbers() {
    try {
      return Pointers.decode(events, firstEvent, lastEvent, letters);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "dead-letter pointer row " + id + " is damaged: " + e.getMessage(), e);
    }
  }

  /** The purged positions. */
  BitSet removedPositions() {
    try {
      return Pointers.removed(removed, letters);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "dead-letter pointer row " + id + " is damaged: " + e.getMessage(), e);
    }
  }

  /**
   * A SQL condition on {@code dlq_pointer} that keeps every row that may hold a matching letter.
   */
  static final class Prefilter {
    final StringBuilder where = new StringBuilder("live > 0");
    final List<Object> values = new ArrayList<>();

    Prefilter(DeadLetterFilter filter) {
      if (filter.reasons() != null && !filter.reasons().isEmpty()) {
        where.append(" AND reason IN (");
        String separator = "";
        for (Reason reason : filter.reasons()) {
          where.append(separator).append(reason.code());
          separator = ",";
        }
        where.append(')');
      }
      add(" AND user = ?", filter.recipient());
      add(" AND last_seq >= ?", filter.fromSequence());
      add(" AND first_seq <= ?", filter.toSequence());
      add(" AND last_ms >= ?", filter.since() == null ? null : filter.since().toEpochMilli());
      add(" AND first_ms < ?", filter.until() == null ? null : filter.until().toEpochMilli());
    }

    private void add(String condition, Object value) {
      if (value != null) {
        where.append(condition);
        values.add(value);
      }
    }

    int bind(java.sql.PreparedStatement statement, int first) throws SQLException {
      int index = first;
      for (Object value : values) {
        statement.setObject(index++, value);
      }
      return index;
    }
  }
}
