package io.followermaze.dlq;

import java.util.List;
import java.util.Optional;

/**
 * What an operator does with dead letters, in one place for the {@code followermaze dlq} commands
 * and the admin API: statistics, paged listing, one letter, purge, redrive requests and dry runs.
 * On the SQLite store ({@code dlq.sqlite.SqliteDlqOperations}) or a Kafka topic ({@code
 * kafka.KafkaDlqOperations}).
 */
public interface DlqOperations extends AutoCloseable {

  /** The most letters one page may hold. */
  int MAX_PAGE = 10_000;

  /**
   * One page of a listing.
   *
   * @param letters the letters, oldest first
   * @param nextAfterId the cursor for the next page, or 0 when this was the last
   */
  record Page(List<StoredDeadLetter> letters, long nextAfterId) {}

  /**
   * What a redrive would work on.
   *
   * @param matching how many parked letters match
   * @param sample the first of them
   */
  record DryRun(long matching, List<StoredDeadLetter> sample) {}

  /**
   * The store is held by another operator request (a long dry run, a big purge) for longer than a
   * caller waits: try again later. Never thrown for a caller that has the store to itself.
   */
  final class Busy extends RuntimeException {
    public Busy(String message) {
      super(message);
    }
  }

  /** Counts by reason, bounds, size. */
  DeadLetterStats stats();

  /**
   * The store's size on disk in bytes, where it keeps local files (a gauge reads it often, so it
   * takes no lock); empty for a remote store. Default: empty.
   */
  default java.util.OptionalLong bytesOnDisk() {
    return java.util.OptionalLong.empty();
  }

  /**
   * The time (epoch ms) of the oldest letter of each reason that has any; empty where a store
   * cannot tell cheaply.
   */
  default java.util.Map<io.followermaze.dlq.Reason, Long> oldestByReason() {
    return java.util.Map.of();
  }

  /** Up to {@code limit} (at most {@link #MAX_PAGE}) letters after {@code afterId}. */
  Page list(DeadLetterFilter filter, long afterId, int limit);

  /** The newest {@code count} letters matching, oldest of them first. */
  List<StoredDeadLetter> newest(DeadLetterFilter filter, int count);

  /** The highest id so far (0 when empty). */
  long lastId();

  /** One letter. */
  Optional<StoredDeadLetter> get(long id);

  /** How many letters match. */
  long count(DeadLetterFilter filter);

  /**
   * Deletes what matches; returns how many. Throws {@link IllegalArgumentException} where a store
   * cannot.
   */
  long purge(DeadLetterFilter filter);

  /** How many parked letters a redrive with {@code filter} would work on, and the first few. */
  DryRun dryRun(DeadLetterFilter filter, int sampleSize);

  /** Records a redrive request for the running server; returns its id. */
  long requestRedrive(DeadLetterFilter filter, int ratePerSecond);

  /**
   * Makes a failed or interrupted redrive request pending again, to continue after its last
   * confirmed letter; false if it is neither. Throws {@link IllegalArgumentException} where a store
   * cannot.
   */
  boolean resumeRedrive(long id);

  /** A redrive request's progress. */
  Optional<RedriveRequest> redrive(long id);

  /** Where the letters are, for people: a file or a topic. */
  String describe();

  @Override
  void close();
}
