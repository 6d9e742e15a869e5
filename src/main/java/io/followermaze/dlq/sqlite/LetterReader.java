package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock.Entry;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.agrona.collections.Long2LongHashMap;

/**
 * Reads letters back from pointer rows: each position of a row is one letter, its event looked up
 * once per chunk (a few chunks are kept decoded). Rows are pruned in SQL by their bounds, then each
 * letter is checked against the filter exactly. Call inside a read transaction.
 */
final class LetterReader {

  private static final int ROWS_PER_QUERY = 64;
  private static final int CHUNKS_KEPT = 16;
  static final EnumSet<Reason> UNDELIVERABLE =
      EnumSet.of(Reason.USER_NOT_CONNECTED, Reason.CONNECTION_LOST, Reason.CLIENT_TOO_SLOW);

  private final SqliteDatabase db;
  private final Map<Long, EventChunk> chunks =
      new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, EventChunk> eldest) {
          return size() > CHUNKS_KEPT;
        }
      };

  LetterReader(SqliteDatabase db) {
    this.db = db;
  }

  /** Receives letters; returns false to stop. */
  interface Visitor {
    boolean visit(StoredDeadLetter letter);
  }

  /** Forgets decoded chunks (after a purge or retention may have deleted them). */
  void forget() {
    chunks.clear();
  }

  /** Up to {@code limit} matching letters with ids above {@code afterId}, in id order. */
  List<StoredDeadLetter> list(DeadLetterFilter filter, long afterId, int limit)
      throws SQLException {
    List<StoredDeadLetter> result = new ArrayList<>();
    if (limit > 0) {
      scan(
          filter,
          Pointers.row(Math.max(0, afterId)),
          true,
          letter -> {
            if (letter.id() > afterId) {
              result.add(letter);
            }
            return result.size() < limit;
          });
    }
    return result;
  }

  /** The newest {@code count} matching letters, oldest of them first. */
  List<StoredDeadLetter> newest(DeadLetterFilter filter, int count) throws SQLException {
    Deque<StoredDeadLetter> newest = new ArrayDeque<>();
    if (count <= 0) {
      return List.of();
    }
    long[] stopAfterRow = {Long.MAX_VALUE};
    scan(
        filter,
        Long.MAX_VALUE,
        false,
        letter -> {
          long row = Pointers.row(letter.id());
          if (newest.size() >= count && row != stopAfterRow[0]) {
            return false;
          }
          stopAfterRow[0] = row;
          newest.addLast(letter);
          return true;
        });
    List<StoredDeadLetter> result = new ArrayList<>(newest);
    result.sort(Comparator.comparingLong(StoredDeadLetter::id));
    return result.subList(Math.max(0, result.size() - count), result.size());
  }

  /** How many indexed letters match (a scan of the rows the filter cannot rule out). */
  long count(DeadLetterFilter filter) throws SQLException {
    long[] count = {0};
    scan(
        filter,
        0,
        true,
        letter -> {
          count[0]++;
          return true;
        });
    return count[0];
  }

  /** Receives pointer rows; returns false to stop. */
  interface RowVisitor {
    boolean visit(PointerRow row) throws SQLException;
  }

  /**
   * Visits the pointer rows that may hold letters matching {@code filter} (pruned by their bounds),
   * page by page from row {@code fromRow} up (or down from it). Each page is read before its rows
   * are visited, so the visitor may change or delete them.
   */
  void rows(DeadLetterFilter filter, long fromRow, boolean ascending, RowVisitor visitor)
      throws SQLException {
    PointerRow.Prefilter where = new PointerRow.Prefilter(filter);
    long next = fromRow;
    while (true) {
      long from = next;
      List<PointerRow> rows =
          db.rows(
              "SELECT "
                  + PointerRow.COLUMNS
                  + " FROM dlq_pointer WHERE id "
                  + (ascending ? ">=" : "<=")
                  + " ? AND "
                  + where.where
                  + " ORDER BY id "
                  + (ascending ? "" : "DESC")
                  + " LIMIT "
                  + ROWS_PER_QUERY,
              s -> {
                s.setLong(1, from);
                where.bind(s, 2);
              },
              PointerRow::read);
      for (PointerRow row : rows) {
        if (!visitor.visit(row)) {
          return;
        }
      }
      if (rows.size() < ROWS_PER_QUERY) {
        return;
      }
      next = ascending ? rows.getLast().id() + 1 : rows.getLast().id() - 1;
    }
  }

  /** Visits matching letters row by row, from row {@code fromRow} up (or down from it). */
  void scan(DeadLetterFilter filter, long fromRow, boolean ascending, Visitor visitor)
      throws SQLException {
    rows(filter, fromRow, ascending, row -> visit(row, filter, visitor));
  }

  /** Visits the letters of {@code row} that match; returns false if the visitor stopped. */
  boolean visit(PointerRow row, DeadLetterFilter filter, Visitor visitor) throws SQLException {
    long[] events = row.eventNumbers();
    BitSet removed = row.removedPositions();
    Long2LongHashMap redriven = redriven(row);
    for (int position = 0; position < events.length; position++) {
      if (removed.get(position)) {
        continue;
      }
      StoredDeadLetter letter = letter(row, position, events[position], redriven);
      if (letter != null && filter.matches(letter.letter()) && !visitor.visit(letter)) {
        return false;
      }
    }
    return true;
  }

  /** The letter with {@code id}, if it exists and was not purged. */
  Optional<StoredDeadLetter> get(long id) throws SQLException {
    long rowId = Pointers.row(id);
    int position = Pointers.position(id);
    List<PointerRow> rows =
        db.rows(
            "SELECT " + PointerRow.COLUMNS + " FROM dlq_pointer WHERE id = ?",
            s -> s.setLong(1, rowId),
            PointerRow::read);
    if (rows.isEmpty()
        || position >= rows.getFirst().letters()
        || rows.getFirst().removedPositions().get(position)) {
      return Optional.empty();
    }
    PointerRow row = rows.getFirst();
    return Optional.ofNullable(letter(row, position, row.eventNumbers()[position], redriven(row)));
  }

  private StoredDeadLetter letter(
      PointerRow row, int position, long eventNumber, Long2LongHashMap redriven)
      throws SQLException {
    Entry event = event(eventNumber);
    if (event == null) {
      return null; // Its chunk is gone: retention removed it with its last pointer.
    }
    long id = Pointers.letterId(row.id(), position);
    long redrivenAt = redriven.get(id);
    DeadLetter letter =
        new DeadLetter(
            row.reason(),
            event.payload(),
            event.payloadLength(),
            event.sequence(),
            row.user() < 0 ? DeadLetter.NONE : row.user(),
            event.type(),
            event.timeMillis(),
            event.origin(),
            event.attempt() + (redrivenAt == 0 ? 0 : 1),
            event.error());
    return new StoredDeadLetter(id, letter, redrivenAt);
  }

  private Long2LongHashMap redriven(PointerRow row) throws SQLException {
    Long2LongHashMap redriven = new Long2LongHashMap(0);
    db.rows(
        "SELECT letter, at_ms FROM dlq_redriven WHERE letter BETWEEN ? AND ?",
        s -> {
          s.setLong(1, Pointers.letterId(row.id(), 0));
          s.setLong(2, Pointers.letterId(row.id(), Pointers.MAX_PER_ROW - 1));
        },
        r -> redriven.put(r.getLong(1), r.getLong(2)));
    return redriven;
  }

  /** The event with number {@code number}, or null when it no longer exists. */
  Entry event(long number) throws SQLException {
    for (EventChunk chunk : chunks.values()) {
      Entry event = chunk.event(number);
      if (event != null) {
        return event;
      }
    }
    List<EventChunk> found =
        db.rows(
            "SELECT first_event, data, lines FROM dlq_event WHERE first_event <= ?"
                + " ORDER BY first_event DESC LIMIT 1",
            s -> s.setLong(1, number),
            r -> {
              try {
                return EventChunk.decode(r.getLong(1), r.getBytes(2), r.getBytes(3));
              } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                    "dead-letter event chunk " + r.getLong(1) + " is damaged: " + e.getMessage(),
                    e);
              }
            });
    if (found.isEmpty()) {
      return null;
    }
    chunks.put(found.getFirst().firstEvent(), found.getFirst());
    return found.getFirst().event(number);
  }
}
