package io.followermaze.dlq;

import java.time.Instant;
import java.util.Set;

/**
 * Which dead letters a query, purge or redrive is about. Null (or empty) parts match everything.
 *
 * @param reasons the reasons to match
 * @param recipient the intended recipient
 * @param fromSequence the lowest sequence number, inclusive
 * @param toSequence the highest sequence number, inclusive
 * @param since the earliest time, inclusive
 * @param until the latest time, exclusive
 */
public record DeadLetterFilter(
    Set<Reason> reasons,
    Integer recipient,
    Long fromSequence,
    Long toSequence,
    Instant since,
    Instant until) {

  /** Matches every dead letter. */
  public static final DeadLetterFilter ALL =
      new DeadLetterFilter(Set.of(), null, null, null, null, null);

  /** Whether {@code letter} matches (for stores that filter in memory, such as a Kafka topic). */
  public boolean matches(DeadLetter letter) {
    return (reasons == null || reasons.isEmpty() || reasons.contains(letter.reason()))
        && (recipient == null || recipient == letter.recipient())
        && (fromSequence == null || letter.sequence() >= fromSequence)
        && (toSequence == null
            || (letter.sequence() != DeadLetter.NONE && letter.sequence() <= toSequence))
        && (since == null || letter.timestampMillis() >= since.toEpochMilli())
        && (until == null || letter.timestampMillis() < until.toEpochMilli());
  }

  /** Whether it filters by reason at most (what per-reason counters alone can answer). */
  public boolean byReasonOnly() {
    return recipient == null
        && fromSequence == null
        && toSequence == null
        && since == null
        && until == null;
  }

  /** The filter as one line of text, for storing a redrive request; see {@link #decode}. */
  public String encode() {
    StringBuilder text = new StringBuilder();
    if (reasons != null && !reasons.isEmpty()) {
      text.append("reasons=")
          .append(String.join(",", reasons.stream().map(Reason::name).sorted().toList()))
          .append(';');
    }
    append(text, "recipient", recipient);
    append(text, "from", fromSequence);
    append(text, "to", toSequence);
    append(text, "since", since == null ? null : since.toEpochMilli());
    append(text, "until", until == null ? null : until.toEpochMilli());
    return text.toString();
  }

  private static void append(StringBuilder text, String key, Object value) {
    if (value != null) {
      text.append(key).append('=').append(value).append(';');
    }
  }

  /** Reads what {@link #encode} wrote. */
  public static DeadLetterFilter decode(String text) {
    java.util.Map<String, String> parts = new java.util.HashMap<>();
    for (String part : text.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parts.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    Set<Reason> reasons =
        parts.containsKey("reasons")
            ? java.util.Arrays.stream(parts.get("reasons").split(","))
                .map(Reason::valueOf)
                .collect(java.util.stream.Collectors.toSet())
            : Set.of();
    return new DeadLetterFilter(
        reasons,
        parts.containsKey("recipient") ? Integer.valueOf(parts.get("recipient")) : null,
        parts.containsKey("from") ? Long.valueOf(parts.get("from")) : null,
        parts.containsKey("to") ? Long.valueOf(parts.get("to")) : null,
        parts.containsKey("since")
            ? Instant.ofEpochMilli(Long.parseLong(parts.get("since")))
            : null,
        parts.containsKey("until")
            ? Instant.ofEpochMilli(Long.parseLong(parts.get("until")))
            : null);
  }

  /** This filter, restricted to {@code reasons}. */
  public DeadLetterFilter withReasons(Set<Reason> only) {
    return new DeadLetterFilter(only, recipient, fromSequence, toSequence, since, until);
  }

  /** This filter, restricted to {@code user}. */
  public DeadLetterFilter forRecipient(int user) {
    return new DeadLetterFilter(reasons, user, fromSequence, toSequence, since, until);
  }
}
