package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.StoredDeadLetter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DlqOperations} on the SQLite store. The admin API's requests share one connection, one at
 * a time; a request waits for it at most {@link #WAIT}, then is told the store is {@linkplain Busy
 * busy} (and what holds it), and {@link #close} never waits longer than that for a request still
 * running: a slow admin request cannot hold up the stop.
 */
public final class SqliteDlqOperations implements DlqOperations {

  private static final Logger log = LoggerFactory.getLogger(SqliteDlqOperations.class);

  /** How long a request waits for the connection another request holds. */
  static final Duration WAIT = Duration.ofSeconds(5);

  private final SqliteDeadLetterStore store;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile String holder = "";
  private volatile long heldSince;

  /** Operations on {@code store}, which this object now owns. */
  public SqliteDlqOperations(SqliteDeadLetterStore store) {
    this.store = store;
  }

  /** Runs {@code work} with the connection to itself, waiting for it at most {@link #WAIT}. */
  <T> T locked(String what, Supplier<T> work) {
    if (!acquire(WAIT)) {
      throw new Busy(
          "the dead-letter store is busy with another admin request ("
              + holder
              + ", running "
              + Duration.ofNanos(System.nanoTime() - heldSince).toSeconds()
              + " s); try again later");
    }
    try {
      holder = what;
      heldSince = System.nanoTime();
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  private boolean acquire(Duration wait) {
    try {
      return lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public java.util.OptionalLong bytesOnDisk() {
    return java.util.OptionalLong.of(store.bytesOnDisk());
  }

  @Override
  public DeadLetterStats stats() {
    return locked("stats", store::stats);
  }

  @Override
  public java.util.Map<io.followermaze.dlq.Reason, Long> oldestByReason() {
    return locked("oldest letters", store::oldestByReason);
  }

  /** Up to {@code limit} (at most {@link #MAX_PAGE}) letters after {@code afterId}. */
  @Override
  public Page list(DeadLetterFilter filter, long afterId, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_PAGE));
    List<StoredDeadLetter> letters = locked("list", () -> store.list(filter, afterId, size));
    return new Page(letters, letters.size() == size ? letters.getLast().id() : 0);
  }

  /** The newest {@code count} letters matching, oldest of them first. */
  @Override
  public List<StoredDeadLetter> newest(DeadLetterFilter filter, int count) {
    return locked("newest", () -> store.newest(filter, count));
  }

  @Override
  public long lastId() {
    return locked("last id", store::lastId);
  }

  @Override
  public Optional<StoredDeadLetter> get(long id) {
    return locked("show " + id, () -> store.get(id));
  }

  @Override
  public long count(DeadLetterFilter filter) {
    return locked("count", () -> store.count(filter));
  }

  @Override
  public long purge(DeadLetterFilter filter) {
    return locked("purge", () -> store.purge(filter));
  }

  /** How many parked letters a redrive with {@code filter} would work on, and the first few. */
  @Override
  public DryRun dryRun(DeadLetterFilter filter, int sampleSize) {
    return locked(
        "redrive dry run",
        () -> {
          List<StoredDeadLetter> sample = store.parked(filter, ParkedCursor.START, sampleSize);
          long total = 0;
          for (List<StoredDeadLetter> page = store.parked(filter, ParkedCursor.START, MAX_PAGE);
              !page.isEmpty();
              page = store.parked(filter, ParkedCursor.at(page.getLast()), MAX_PAGE)) {
            total += page.size();
          }
          return new DryRun(total, sample);
        });
  }

  /** Records a redrive request for the running server; returns its id. */
  @Override
  public long requestRedrive(DeadLetterFilter filter, int ratePerSecond) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException(
          "rate must be at least 1 per second, was " + ratePerSecond);
    }
    return locked(
        "redrive request",
        () -> store.requestRedrive(filter, ratePerSecond, System.currentTimeMillis()));
  }

  @Override
  public boolean resumeRedrive(long id) {
    return locked("resume redrive " + id, () -> store.resumeRedrive(id));
  }

  @Override
  public Optional<RedriveRequest> redrive(long id) {
    return locked("redrive " + id, () -> store.redriveRequest(id));
  }

  @Override
  public String describe() {
    return store.file().toString();
  }

  @Override
  public void close() {
    if (!acquire(WAIT)) {
      log.warn(
          "an admin request ({}, running {} s) still holds the dead-letter store's admin connection: the stop goes on without closing it (the process exit does)",
          holder,
          Duration.ofNanos(System.nanoTime() - heldSince).toSeconds());
      return;
    }
    try {
      store.close();
    } finally {
      lock.unlock();
    }
  }
}
