package io.followermaze.admin;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A request's query parameters, read strictly: a bad value throws {@link IllegalArgumentException}
 * naming the parameter, which the server answers with 400.
 */
final class QueryParameters {

  private final Map<String, String> values = new HashMap<>();

  QueryParameters(String rawQuery) {
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        String key =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        values.put(key, value);
      }
    }
  }

  String string(String name) {
    return values.get(name);
  }

  Long number(String name, long min, long max) {
    String value = values.get(name);
    if (value == null) {
      return null;
    }
    try {
      long number = Long.parseLong(value);
      if (number < min || number > max) {
        throw new NumberFormatException();
      }
      return number;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a whole number from " + min + " to " + max + ", was '" + value + "'");
    }
  }

  boolean flag(String name) {
    String value = values.get(name);
    return value != null
        && (value.isEmpty() || value.equalsIgnoreCase("true") || value.equals("1"));
  }

  private Instant time(String name) {
    String value = values.get(name);
    if (value == null) {
      return null;
    }
    try {
      return value.chars().allMatch(Character::isDigit)
          ? Instant.ofEpochMilli(Long.parseLong(value))
          : Instant.parse(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          name + " must be an ISO-8601 time or epoch milliseconds, was '" + value + "'");
    }
  }

  /**
   * The dead-letter filter: {@code reason} (comma-separated), {@code user}, {@code from_seq},
   * {@code to_seq}, {@code since}, {@code until}.
   */
  DeadLetterFilter filter() {
    Set<Reason> reasons = EnumSet.noneOf(Reason.class);
    String reasonList = values.get("reason");
    if (reasonList != null) {
      for (String name : reasonList.split(",")) {
        try {
          reasons.add(Reason.valueOf(name.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "reason '" + name + "' is not one of " + EnumSet.allOf(Reason.class));
        }
      }
    }
    Long user = number("user", 0, Integer.MAX_VALUE);
    return new DeadLetterFilter(
        reasons,
        user == null ? null : user.intValue(),
        number("from_seq", 0, Long.MAX_VALUE),
        number("to_seq", 0, Long.MAX_VALUE),
        time("since"),
        time("until"));
  }

  /** Whether any filter parameter is present. */
  boolean hasFilter() {
    return Set.of("reason", "user", "from_seq", "to_seq", "since", "until").stream()
        .anyMatch(values::containsKey);
  }
}
