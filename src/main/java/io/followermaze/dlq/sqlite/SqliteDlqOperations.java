package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.StoredDeadLetter;
import java.util.List;
import java.util.Optional;

/** {@link DlqOperations} on the SQLite store. Synchronized: the admin API shares one connection. */
public final class SqliteDlqOperations implements DlqOperations {

  private final SqliteDeadLetterStore store;

  /** Operations on {@code store}, which this object now owns. */
  public SqliteDlqOperations(SqliteDeadLetterStore store) {
    this.store = store;
  }

  @Override
  public synchronized DeadLetterStats stats() {
    return store.stats();
  }

  @Override
  public synchronized java.util.Map<io.followermaze.dlq.Reason, Long> oldestByReason() {
    return store.oldestByReason();
  }

  /** Up to {@code limit} (at most {@link #MAX_PAGE}) letters after {@code afterId}. */
  @Override
  public synchronized Page list(DeadLetterFilter filter, long afterId, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_PAGE));
    List<StoredDeadLetter> letters = store.list(filter, afterId, size);
    return new Page(letters, letters.size() == size ? letters.getLast().id() : 0);
  }

  /** The newest {@code count} letters matching, oldest of them first. */
  @Override
  public synchronized List<StoredDeadLetter> newest(DeadLetterFilter filter, int count) {
    return store.newest(filter, count);
  }

  @Override
  public synchronized long lastId() {
    return store.lastId();
  }

  @Override
  public synchronized Optional<StoredDeadLetter> get(long id) {
    return store.get(id);
  }

  @Override
  public synchronized long count(DeadLetterFilter filter) {
    return store.count(filter);
  }

  @Override
  public synchronized long purge(DeadLetterFilter filter) {
    return store.purge(filter);
  }

  /** How many parked letters a redrive with {@code filter} would work on, and the first few. */
  @Override
  public synchronized DryRun dryRun(DeadLetterFilter filter, int sampleSize) {
    List<StoredDeadLetter> sample = store.parked(filter, ParkedCursor.START, sampleSize);
    long total = 0;
    for (List<StoredDeadLetter> page = store.parked(filter, ParkedCursor.START, MAX_PAGE);
        !page.isEmpty();
        page = store.parked(filter, ParkedCursor.at(page.getLast()), MAX_PAGE)) {
      total += page.size();
    }
    return new DryRun(total, sample);
  }

  /** Records a redrive request for the running server; returns its id. */
  @Override
  public synchronized long requestRedrive(DeadLetterFilter filter, int ratePerSecond) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException(
          "rate must be at least 1 per second, was " + ratePerSecond);
    }
    return store.requestRedrive(filter, ratePerSecond, System.currentTimeMillis());
  }

  @Override
  public synchronized boolean resumeRedrive(long id) {
    return store.resumeRedrive(id);
  }

  @Override
  public synchronized Optional<RedriveRequest> redrive(long id) {
    return store.redriveRequest(id);
  }

  @Override
  public String describe() {
    return store.file().toString();
  }

  @Override
  public synchronized void close() {
    store.close();
  }
}
