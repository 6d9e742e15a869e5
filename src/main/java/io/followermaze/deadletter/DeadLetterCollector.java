package io.followermaze.deadletter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link DeadLetterSink}: a bounded queue in front of a {@link DeadLetterStore}, and one
 * flusher thread that commits a batch when it has {@code batchSize} letters or when {@code
 * flushInterval} has passed since the last commit, whichever comes first.
 *
 * <p>The store sets the pace: when the queue is full, {@link #accept} waits for room. The engine
 * then stops, its inbox fills, the event-source reader stops reading, and TCP slows the source.
 * Nothing is dropped. A failed commit is logged, counted and retried with the same batch.
 *
 * <p>What a {@code kill -9} can lose is what was not yet committed: at most the queue plus one batch
 * ({@code queueCapacity + batchSize} letters), or less than {@code flushInterval} of them when
 * traffic is light.
 */
public final class DeadLetterCollector implements DeadLetterSink {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterCollector.class);
  private static final long FULL_BACKOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAINTENANCE_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long FAILURE_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long CLOSE_CATCH_UP_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final DeadLetterStore store;
  private final ManyToOneConcurrentArrayQueue<DeadLetter> queue;
  private final int batchSize;
  private final long flushIntervalNanos;
  private final Thread flusher;
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong backPressureWaits = new AtomicLong();
  private final AtomicLong commitFailures = new AtomicLong();
  private final AtomicLong lastFlushNanos = new AtomicLong();
  private volatile boolean closing;
  private volatile boolean flusherParked;
  private long lastFailureLogNanos;
  private volatile boolean lastCommitSucceeded = true;

  /** Starts the flusher. */
  public DeadLetterCollector(DeadLetterStore store, int queueCapacity, int batchSize, Duration flushInterval) {
    this.store = store;
    this.queue = new ManyToOneConcurrentArrayQueue<>(queueCapacity);
    this.batchSize = batchSize;
    this.flushIntervalNanos = flushInterval.toNanos();
    this.flusher = Thread.ofPlatform().name("dlq-flusher").unstarted(this::run);
    flusher.start();
  }

  @Override
  public void accept(DeadLetter letter) {
    if (closing) {
      throw new IllegalStateException("the dead-letter collector is closed");
    }
    if (!queue.offer(letter)) {
      backPressureWaits.incrementAndGet();
      do {
        LockSupport.unpark(flusher);
        LockSupport.parkNanos(this, FULL_BACKOFF_NANOS);
      } while (!queue.offer(letter));
    }
    if (flusherParked && queue.size() >= batchSize) {
      LockSupport.unpark(flusher);
    }
  }

  private void run() {
    List<DeadLetter> batch = new ArrayList<>(batchSize);
    long lastCommit = System.nanoTime();
    long lastMaintenance = System.nanoTime() - MAINTENANCE_NANOS;
    while (!closing || !queue.isEmpty() || !batch.isEmpty()) {
      if (System.nanoTime() - lastMaintenance >= MAINTENANCE_NANOS) {
        maintain();
        lastMaintenance = System.nanoTime();
      }
      queue.drainTo(batch, batchSize - batch.size());
      long now = System.nanoTime();
      boolean due = batch.size() >= batchSize || (!batch.isEmpty() && (now - lastCommit >= flushIntervalNanos || closing));
      if (due) {
        if (commit(batch)) {
          lastCommit = System.nanoTime();
        } else {
          pauseBeforeRetry();
        }
      } else if (batch.isEmpty() && catchUp()) {
        continue;
      } else {
        flusherParked = true;
        if (queue.size() + batch.size() < batchSize && !closing) {
          LockSupport.parkNanos(this, batch.isEmpty() ? flushIntervalNanos : flushIntervalNanos - (now - lastCommit));
        }
        flusherParked = false;
      }
    }
  }

  private boolean commit(List<DeadLetter> batch) {
    long start = System.nanoTime();
    try {
      store.append(batch);
      committed.addAndGet(batch.size());
      batch.clear();
      lastFlushNanos.set(System.nanoTime() - start);
      lastCommitSucceeded = true;
      return true;
    } catch (Exception e) {
      long failures = commitFailures.incrementAndGet();
      lastCommitSucceeded = false;
      long now = System.nanoTime();
      if (now - lastFailureLogNanos >= FAILURE_LOG_NANOS || failures == 1) {
        lastFailureLogNanos = now;
        log.error("committing {} dead letters failed ({} failures so far); retrying every second, intake pauses"
            + " while the queue is full: {}", batch.size(), failures, String.valueOf(e));
      }
      return false;
    }
  }

  /** Waits out the retry pause; producers waiting for room unpark the flusher, so park until the deadline. */
  private void pauseBeforeRetry() {
    long deadline = System.nanoTime() + RETRY_NANOS;
    for (long left = RETRY_NANOS; left > 0 && !closing; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(this, left);
    }
  }

  private boolean catchUp() {
    try {
      return store.catchUp();
    } catch (RuntimeException e) {
      log.error("dead-letter store catch-up failed (retried later): {}", e.getMessage());
      return false;
    }
  }

  private void maintain() {
    try {
      store.maintain(System.currentTimeMillis());
    } catch (RuntimeException e) {
      log.error("dead-letter store maintenance failed: {}", e.getMessage());
    }
  }

  /** Letters committed to the store so far. */
  public long committed() {
    return committed.get();
  }

  /** Letters waiting to be committed. */
  public int queued() {
    return queue.size();
  }

  /** How often {@link #accept} found the queue full and had to wait. */
  public long backPressureWaits() {
    return backPressureWaits.get();
  }

  /** Whether the last commit attempt succeeded (or none was needed yet). */
  public boolean healthy() {
    return lastCommitSucceeded;
  }

  /** Commits that failed (and were retried). */
  public long commitFailures() {
    return commitFailures.get();
  }

  /** How long the last commit took, in nanoseconds. */
  public long lastFlushNanos() {
    return lastFlushNanos.get();
  }

  /**
   * Commits everything accepted so far, spends up to ten seconds on the store's deferred work
   * (indexing), then closes the store.
   */
  @Override
  public void close() {
    closing = true;
    LockSupport.unpark(flusher);
    try {
      flusher.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long started = System.nanoTime();
    long deadline = started + CLOSE_CATCH_UP_NANOS;
    while (System.nanoTime() < deadline && catchUp()) {
      // Expand what is left (bounded: the rest is expanded after the next start).
    }
    store.close();
    log.info("dead-letter collector closed: {} letters committed (indexing finished in {} ms)", committed(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }
}
