package io.followermaze.storage;

import io.followermaze.deadletter.DeadLetterFilter;
import io.followermaze.storage.SqliteDeadLetterStore.RedriveRequest;
import java.util.List;
import java.util.Optional;

/**
 * What an operator does with dead letters, in one place for the {@code followermaze dlq} commands
 * and the admin API: statistics, paged listing, one letter, purge, redrive requests and dry runs.
 * Synchronized, because the admin API shares one store connection between requests.
 */
public final class DlqOperations implements AutoCloseable {

  /** The most letters one page may hold. */
  public static final int MAX_PAGE = 10_000;

  /**
   * One page of a listing.
   *
   * @param letters the letters, oldest first
   * @param nextAfterId the cursor for the next page, or 0 when this was the last
   */
  public record Page(List<StoredDeadLetter> letters, long nextAfterId) {}

  /**
   * What a redrive would work on.
   *
   * @param matching how many parked letters match
   * @param sample the first of them, in sequence order
   */
  public record DryRun(long matching, List<StoredDeadLetter> sample) {}

  private final SqliteDeadLetterStore store;

  /** Operations on {@code store}, which this object now owns. */
  public DlqOperations(SqliteDeadLetterStore store) {
    this.store = store;
  }

  public synchronized DeadLetterStats stats() {
    return store.stats();
  }

  /** Up to {@code limit} (at most {@link #MAX_PAGE}) letters after {@code afterId}. */
  public synchronized Page list(DeadLetterFilter filter, long afterId, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_PAGE));
    List<StoredDeadLetter> letters = store.list(filter, afterId, size);
    return new Page(letters, letters.size() == size ? letters.getLast().id() : 0);
  }

  /** The newest {@code count} letters matching, oldest of them first. */
  public synchronized List<StoredDeadLetter> newest(DeadLetterFilter filter, int count) {
    return store.newest(filter, count);
  }

  public synchronized long lastId() {
    return store.lastId();
  }

  public synchronized Optional<StoredDeadLetter> get(long id) {
    return store.get(id);
  }

  public synchronized long count(DeadLetterFilter filter) {
    return store.count(filter);
  }

  public synchronized long purge(DeadLetterFilter filter) {
    return store.purge(filter);
  }

  /** How many parked letters a redrive with {@code filter} would work on, and the first few. */
  public synchronized DryRun dryRun(DeadLetterFilter filter, int sampleSize) {
    List<StoredDeadLetter> sample = store.parked(filter, 0, 0, sampleSize);
    long total = 0;
    for (List<StoredDeadLetter> page = store.parked(filter, 0, 0, MAX_PAGE); !page.isEmpty();
        page = store.parked(filter, page.getLast().letter().sequence(), page.getLast().id(), MAX_PAGE)) {
      total += page.size();
    }
    return new DryRun(total, sample);
  }

  /** Records a redrive request for the running server; returns its id. */
  public synchronized long requestRedrive(DeadLetterFilter filter, int ratePerSecond) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException("rate must be at least 1 per second, was " + ratePerSecond);
    }
    return store.requestRedrive(filter, ratePerSecond, System.currentTimeMillis());
  }

  public synchronized Optional<RedriveRequest> redrive(long id) {
    return store.redriveRequest(id);
  }

  @Override
  public synchronized void close() {
    store.close();
  }
}
