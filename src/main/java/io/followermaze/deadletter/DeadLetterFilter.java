package io.followermaze.deadletter;

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
    Set<Reason> reasons, Integer recipient, Long fromSequence, Long toSequence, Instant since, Instant until) {

  /** Matches every dead letter. */
  public static final DeadLetterFilter ALL = new DeadLetterFilter(Set.of(), null, null, null, null, null);

  /** This filter, restricted to {@code reasons}. */
  public DeadLetterFilter withReasons(Set<Reason> only) {
    return new DeadLetterFilter(only, recipient, fromSequence, toSequence, since, until);
  }

  /** This filter, restricted to {@code user}. */
  public DeadLetterFilter forRecipient(int user) {
    return new DeadLetterFilter(reasons, user, fromSequence, toSequence, since, until);
  }
}
