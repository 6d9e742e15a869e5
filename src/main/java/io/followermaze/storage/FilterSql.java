package io.followermaze.storage;

import io.followermaze.deadletter.DeadLetterFilter;
import io.followermaze.deadletter.Reason;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link DeadLetterFilter} as a SQL condition on table {@code dead_letter d}, with its values. */
final class FilterSql {

  private final StringBuilder where = new StringBuilder("1=1");
  private final List<Object> values = new ArrayList<>();

  FilterSql(DeadLetterFilter filter, Map<Reason, Integer> reasonCodes) {
    if (filter.reasons() != null && !filter.reasons().isEmpty()) {
      where.append(" AND ").append(reasonIn(java.util.EnumSet.copyOf(filter.reasons()), reasonCodes));
    }
    add(" AND d.recipient = ?", filter.recipient());
    add(" AND d.sequence >= ?", filter.fromSequence());
    add(" AND d.sequence <= ?", filter.toSequence());
    add(" AND d.created_ms >= ?", filter.since() == null ? null : filter.since().toEpochMilli());
    add(" AND d.created_ms < ?", filter.until() == null ? null : filter.until().toEpochMilli());
  }

  private void add(String condition, Object value) {
    if (value != null) {
      where.append(condition);
      values.add(value);
    }
  }

  /**
   * {@code (d.kind & 255) IN (...)} with the codes written out, in reason order: literal codes (our
   * own integers) let SQLite match the condition against the partial index on parked letters.
   */
  static String reasonIn(java.util.EnumSet<Reason> reasons, Map<Reason, Integer> reasonCodes) {
    StringBuilder in = new StringBuilder("(d.kind & 255) IN (");
    String separator = "";
    for (Reason reason : reasons) {
      in.append(separator).append(reasonCodes.get(reason));
      separator = ",";
    }
    return in.append(')').toString();
  }

  /** The condition, for after {@code WHERE}. */
  String where() {
    return where.toString();
  }

  /** Binds the condition's values starting at parameter {@code first}; returns the next index. */
  int bind(PreparedStatement statement, int first) throws SQLException {
    int index = first;
    for (Object value : values) {
      statement.setObject(index++, value);
    }
    return index;
  }
}
