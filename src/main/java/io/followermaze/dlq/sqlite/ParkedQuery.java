package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * Parked letters (undeliverable, neither redriven nor purged) in redrive order: user by user, each
 * user's in sequence order. A user's rows come from many passes and may overlap in sequence range
 * (a lost connection's letters are dead-lettered after newer ones), so they are merged in windows:
 * the {@value #WINDOW_ROWS} rows with the lowest first sequence number bound a window {@code [from,
 * to)} that no other row can reach into; letters in it are sorted, handed out, and the window moves
 * on. Memory is bounded by the window, whatever a user has parked.
 */
final class ParkedQuery {

  private static final int WINDOW_ROWS = 64;

  private final SqliteDatabase db;
  private final LetterReader reader;

  ParkedQuery(SqliteDatabase db, LetterReader reader) {
    this.db = db;
    this.reader = reader;
  }

  /** Up to {@code limit} parked letters matching {@code filter} after {@code after}. */
  List<StoredDeadLetter> after(DeadLetterFilter filter, ParkedCursor after, int limit)
      throws SQLException {
    EnumSet<Reason> reasons = EnumSet.copyOf(LetterReader.UNDELIVERABLE);
    if (filter.reasons() != null && !filter.reasons().isEmpty()) {
      reasons.retainAll(filter.reasons());
    }
    List<StoredDeadLetter> result = new ArrayList<>();
    if (reasons.isEmpty() || limit <= 0) {
      return result;
    }
    DeadLetterFilter matching = filter.withReasons(reasons);
    ParkedCursor cursor = after;
    int user =
        filter.recipient() != null
            ? Math.max(filter.recipient(), after.user())
            : Math.max(0, after.user());
    if (filter.recipient() != null && after.user() > filter.recipient()) {
      return result;
    }
    while (result.size() < limit) {
      Integer next = nextUser(matching, user);
      if (next == null || (filter.recipient() != null && next.intValue() != filter.recipient())) {
        return result;
      }
      ParkedCursor from =
          next == cursor.user() ? cursor : new ParkedCursor(next, Long.MIN_VALUE, -1);
      ofUser(matching.forRecipient(next), from, limit - result.size(), result);
      if (result.size() < limit) {
        if (next == Integer.MAX_VALUE) {
          return result; // the last user there can be (next + 1 would wrap to the first)
        }
        user = next + 1;
        cursor = new ParkedCursor(user, Long.MIN_VALUE, -1);
      }
    }
    return result;
  }

  private Integer nextUser(DeadLetterFilter filter, int from) throws SQLException {
    PointerRow.Prefilter where =
        new PointerRow.Prefilter(
            new DeadLetterFilter(
                filter.reasons(),
                null,
                filter.fromSequence(),
                filter.toSequence(),
                filter.since(),
                filter.until()));
    List<Integer> users =
        db.rows(
            "SELECT user FROM dlq_pointer WHERE user >= ? AND "
                + where.where
                + " ORDER BY user LIMIT 1",
            s -> {
              s.setInt(1, from);
              where.bind(s, 2);
            },
            r -> r.getInt(1));
    return users.isEmpty() ? null : users.getFirst();
  }

  /** Adds up to {@code limit} of one user's parked letters after {@code from} to {@code out}. */
  private void ofUser(
      DeadLetterFilter filter, ParkedCursor from, int limit, List<StoredDeadLetter> out)
      throws SQLException {
    PointerRow.Prefilter where = new PointerRow.Prefilter(filter);
    long windowFrom = from.sequence();
    ParkedCursor cursor = from;
    int taken = 0;
    while (taken < limit) {
      long low = windowFrom;
      List<PointerRow> rows =
          db.rows(
              "SELECT "
                  + PointerRow.COLUMNS
                  + " FROM dlq_pointer WHERE last_seq >= ? AND "
                  + where.where
                  + " ORDER BY first_seq LIMIT "
                  + WINDOW_ROWS,
              s -> {
                s.setLong(1, low);
                where.bind(s, 2);
              },
              PointerRow::read);
      if (rows.isEmpty()) {
        return;
      }
      // Rows not fetched start at or after the last fetched row's first sequence number.
      long windowTo = rows.size() < WINDOW_ROWS ? Long.MAX_VALUE : rows.getLast().firstSeq();
      if (windowTo <= windowFrom) {
        // More than a window's rows start at this number: take this number alone, from every row
        // that spans it.
        windowTo = windowFrom + 1;
        rows =
            db.rows(
                "SELECT "
                    + PointerRow.COLUMNS
                    + " FROM dlq_pointer WHERE last_seq >= ? AND first_seq <= ? AND "
                    + where.where
                    + " ORDER BY first_seq",
                s -> {
                  s.setLong(1, low);
                  s.setLong(2, low);
                  where.bind(s, 3);
                },
                PointerRow::read);
      }
      List<StoredDeadLetter> window = new ArrayList<>();
      long upper = windowTo;
      ParkedCursor position = cursor;
      for (PointerRow row : rows) {
        reader.visit(
            row,
            filter,
            letter -> {
              long sequence = letter.letter().sequence();
              if (letter.redrivenAtMillis() == 0
                  && sequence < upper
                  && position.before(sequence, letter.id())) {
                window.add(letter);
              }
              return true;
            });
      }
      window.sort(
          Comparator.<StoredDeadLetter>comparingLong(l -> l.letter().sequence())
              .thenComparingLong(StoredDeadLetter::id));
      for (StoredDeadLetter letter : window) {
        if (taken == limit) {
          return;
        }
        out.add(letter);
        cursor = ParkedCursor.at(letter);
        taken++;
      }
      if (windowTo == Long.MAX_VALUE) {
        return;
      }
      windowFrom = windowTo;
    }
  }
}
