package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Which dead letters a {@code dlq} subcommand works on. */
final class FilterOptions {

  @Option(
      names = "--reason",
      split = ",",
      description = "Only these reasons (repeat or comma-separate), e.g. USER_NOT_CONNECTED.")
  List<Reason> reasons = List.of();

  @Option(names = "--user", description = "Only letters for this recipient.")
  Integer user;

  @Option(names = "--from-seq", description = "Lowest sequence number, inclusive.")
  Long fromSequence;

  @Option(names = "--to-seq", description = "Highest sequence number, inclusive.")
  Long toSequence;

  @Option(
      names = "--since",
      converter = TimeConverter.class,
      description =
          "Not before this time: ISO-8601 (2026-11-23T10:00:00Z) or an age (10m, 2h, 7d).")
  Instant since;

  @Option(
      names = "--until",
      converter = TimeConverter.class,
      description = "Before this time: ISO-8601 or an age.")
  Instant until;

  DeadLetterFilter filter() {
    Set<Reason> only = reasons.isEmpty() ? Set.of() : EnumSet.copyOf(reasons);
    return new DeadLetterFilter(only, user, fromSequence, toSequence, since, until);
  }

  /** Reads an ISO-8601 instant, or an age such as {@code 10m} meaning that long ago. */
  static final class TimeConverter implements picocli.CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return Instant.parse(value);
      } catch (RuntimeException notAnInstant) {
        return Instant.now().minus(new DurationConverter().convert(value));
      }
    }
  }
}
