package io.followermaze.dlq;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's one writer (the {@code dlq-flusher} role): takes blocks from the queue into a
 * batch and commits it when it holds {@code batchBytes} or {@code flushInterval} has passed since
 * the last commit; between commits it lets the store do its deferred work (indexing) and, once a
 * minute, its maintenance (retention). A failed commit is logged, counted and retried with the same
 * batch every second; while closing, until the close deadline, after which what is left is counted
 * as unstored.
 */
final class DeadLetterFlusher implements Agent {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterFlusher.class);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAINTENANCE_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long FAILURE_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final DeadLetterStore store;
  private final BlockQueue queue;
  private final long batchBytes;
  private final long flushIntervalNanos;
  private final Batch batch = new Batch();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Thread thread;
  private long lastCommit;
  private long lastMaintenance;
  private long lastFailureLogNanos;

  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong commitFailures = new AtomicLong();
  private final AtomicLong lastFlushNanos = new AtomicLong();
  private final AtomicLong unstored = new AtomicLong();
  private volatile boolean lastCommitSucceeded = true;

  private volatile boolean closing;
  private volatile long giveUpAtNanos = Long.MAX_VALUE;
  private volatile boolean parked;

  /** What the batch held when the flusher parked: a producer that completes the batch wakes it. */
  private volatile long parkedBatchBytes;

  DeadLetterFlusher(
      DeadLetterStore store, BlockQueue queue, long batchBytes, long flushIntervalNanos) {
    this.store = store;
    this.queue = queue;
    this.batchBytes = batchBytes;
    this.flushIntervalNanos = flushIntervalNanos;
  }

  @Override
  public String roleName() {
    return "dlq-flusher";
  }

  @Override
  public void onStart() {
    thread = Thread.currentThread();
    lastCommit = System.nanoTime();
    lastMaintenance = System.nanoTime() - MAINTENANCE_NANOS;
  }

  @Override
  public void onClose() {
    ended.countDown();
  }

  /**
   * One cycle: commit a due batch, expand what waits for indexing, or park until letters arrive or
   * the flush interval passes. Ends, as expected, once closing has drained everything.
   */
  @Override
  public int doWork() {
    if (closing && queue.isEmpty() && batch.isEmpty()) {
      throw new AgentTerminationException(true);
    }
    if (closing && System.nanoTime() - giveUpAtNanos >= 0) {
      giveUp();
      throw new AgentTerminationException(true);
    }
    if (System.nanoTime() - lastMaintenance >= MAINTENANCE_NANOS) {
      maintain();
      lastMaintenance = System.nanoTime();
    }
    drain();
    long now = System.nanoTime();
    boolean due =
        batch.bytes >= batchBytes
            || (!batch.isEmpty() && (now - lastCommit >= flushIntervalNanos || closing));
    if (due) {
      if (commit()) {
        lastCommit = System.nanoTime();
      } else {
        pauseBeforeRetry();
      }
      return 1;
    }
    if (batch.isEmpty() && catchUp(false)) {
      return 1;
    }
    parkedBatchBytes = batch.bytes;
    parked = true;
    if (queue.bytes() + batch.bytes < batchBytes && !closing) {
      LockSupport.parkNanos(
          this, batch.isEmpty() ? flushIntervalNanos : flushIntervalNanos - (now - lastCommit));
    }
    parked = false;
    return 0;
  }

  /** Wakes the flusher (a producer waiting for room, or the close). */
  void wake() {
    Thread flusher = thread;
    if (flusher != null) {
      LockSupport.unpark(flusher);
    }
  }

  /** After a producer queued: wakes a parked flusher if the batch is now due by size. */
  void queued() {
    if (parked && queue.bytes() + parkedBatchBytes >= batchBytes) {
      wake();
    }
  }

  /** Whether it waits with nothing left in the queue. */
  boolean waiting() {
    return parked && queue.bytes() == 0;
  }

  /** Starts closing: drain and commit, giving up on a failing store at {@code giveUpAt}. */
  void beginClose(long giveUpAt) {
    giveUpAtNanos = giveUpAt;
    closing = true;
    wake();
  }

  /** Whether it is closing (no more letters are taken). */
  boolean closing() {
    return closing;
  }

  /** Waits until the role has ended. */
  void awaitEnd() throws InterruptedException {
    ended.await();
  }

  /** Whether the store did deferred work (errors are logged: it is retried later). */
  boolean catchUp(boolean force) {
    try {
      return store.catchUp(force);
    } catch (RuntimeException e) {
      log.error("dead-letter store catch-up failed (retried later): {}", e.getMessage());
      return false;
    }
  }

  private void drain() {
    DeadLetterBlock block;
    while (batch.bytes < batchBytes && (block = queue.poll()) != null) {
      batch.add(block);
    }
  }

  private boolean commit() {
    long start = System.nanoTime();
    try {
      store.append(batch.blocks);
      committed.addAndGet(batch.letters);
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
        log.error(
            "committing {} dead letters failed ({} failures so far); retrying every second, intake pauses"
                + " while the queue is full: {}",
            batch.letters,
            failures,
            String.valueOf(e));
      }
      return false;
    }
  }

  /**
   * Waits out the retry pause (also while closing: no hot loop on a failing store, but never past
   * the close deadline); producers waiting for room unpark the flusher, so park until the deadline.
   */
  private void pauseBeforeRetry() {
    long deadline = System.nanoTime() + RETRY_NANOS;
    for (long left = RETRY_NANOS; left > 0; left = deadline - System.nanoTime()) {
      if (closing && System.nanoTime() - giveUpAtNanos >= 0) {
        return;
      }
      LockSupport.parkNanos(
          this, closing ? Math.min(left, Math.max(1, giveUpAtNanos - System.nanoTime())) : left);
    }
  }

  /** The store kept failing until the close deadline: count and report what could not be stored. */
  private void giveUp() {
    long lost = batch.letters;
    for (DeadLetterBlock block; (block = queue.poll()) != null; ) {
      lost += block.size();
    }
    batch.clear();
    unstored.set(lost);
    log.error(
        "gave up on the dead-letter store at shutdown: {} dead letters could not be stored ({} commit failures;"
            + " see the errors above)",
        lost,
        commitFailures.get());
  }

  private void maintain() {
    try {
      store.maintain(System.currentTimeMillis());
    } catch (RuntimeException e) {
      log.error("dead-letter store maintenance failed: {}", e.getMessage());
    }
  }

  long committed() {
    return committed.get();
  }

  long commitFailures() {
    return commitFailures.get();
  }

  long lastFlushNanos() {
    return lastFlushNanos.get();
  }

  long unstored() {
    return unstored.get();
  }

  boolean lastCommitSucceeded() {
    return lastCommitSucceeded;
  }
}
