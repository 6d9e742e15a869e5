package io.followermaze.dlq;

import java.util.concurrent.CompletableFuture;
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
  private final CommitBatch batch = new CommitBatch();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile Thread thread;
  private long lastCommit;
  private long lastMaintenance;
  private long lastFailureLogNanos;

  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong commitFailures = new AtomicLong();
  private final AtomicLong lastFlushNanos = new AtomicLong();
  private final AtomicLong unstored = new AtomicLong();
  private final AtomicLong indexFailures = new AtomicLong();
  private final AtomicLong indexFailingSince = new AtomicLong(); // System.nanoTime; 0: not failing
  private long lastIndexFailureLogNanos;
  private volatile boolean lastCommitSucceeded = true;

  private volatile boolean closing;
  private volatile boolean hasDeadline;
  private volatile long giveUpAtNanos;
  private volatile boolean gaveUp;
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
    if (pastDeadline()) {
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
    if (batch.isEmpty() && runDeferredWork(false)) {
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
    giveUpAt(giveUpAt);
    closing = true;
    wake();
  }

  /**
   * At {@code deadline} (System.nanoTime), whatever is not committed yet is counted as unstored and
   * the flusher ends: what a stop sets as soon as it begins, so that neither the flusher nor a
   * producer waiting for room outlasts it behind a failing store. An earlier deadline stays.
   */
  void giveUpAt(long deadline) {
    if (!hasDeadline || deadline - giveUpAtNanos < 0) {
      giveUpAtNanos = deadline;
      hasDeadline = true;
    }
    wake();
  }

  /** Whether it gave up at its deadline (producers then stop waiting for room). */
  boolean gaveUp() {
    return gaveUp;
  }

  private boolean pastDeadline() {
    return hasDeadline && System.nanoTime() - giveUpAtNanos >= 0;
  }

  /** Whether it is closing (no more letters are taken). */
  boolean closing() {
    return closing;
  }

  /** Waits until the role has ended. */
  void awaitEnd() throws InterruptedException {
    ended.await();
  }

  /**
   * Whether the store did deferred work (indexing). A failure is counted and logged (in full the
   * first time, then every {@value #FAILURE_LOG_NANOS} ns) and retried later; how long it has kept
   * failing is what {@code /ready} and the alerts watch.
   */
  boolean runDeferredWork(boolean force) {
    try {
      boolean did = store.runDeferredWork(force);
      indexFailingSince.set(0);
      return did;
    } catch (RuntimeException e) {
      long failures = indexFailures.incrementAndGet();
      long now = System.nanoTime();
      indexFailingSince.compareAndSet(0, now == 0 ? 1 : now);
      if (failures == 1 || now - lastIndexFailureLogNanos >= FAILURE_LOG_NANOS) {
        lastIndexFailureLogNanos = now;
        log.error(
            "indexing dead letters failed ({} failures so far; retried later): {}",
            failures,
            e.getMessage(),
            failures == 1 ? e : null);
      }
      return false;
    }
  }

  /** How many index passes have failed. */
  long indexFailures() {
    return indexFailures.get();
  }

  /** How long indexing has kept failing (zero while it succeeds). */
  long indexFailingNanos() {
    long since = indexFailingSince.get();
    return since == 0 ? 0 : System.nanoTime() - since;
  }

  private void drain() {
    DeadLetterBlock block;
    while (batch.bytes < batchBytes && (block = queue.poll()) != null) {
      CompletableFuture<Void> fence = block.fenceFuture();
      if (fence == null) {
        batch.add(block);
      } else if (batch.isEmpty()) {
        fence.complete(null); // everything before it is committed
      } else {
        batch.fences.add(fence);
      }
    }
  }

  /** What a fence that will not be reached learns. */
  static IllegalStateException notStored() {
    return new IllegalStateException("dead letters before this point could not be stored");
  }

  private boolean commit() {
    long start = System.nanoTime();
    try {
      store.append(batch.blocks);
      committed.addAndGet(batch.letters);
      batch.stored();
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
      if (pastDeadline()) {
        return;
      }
      LockSupport.parkNanos(
          this,
          hasDeadline ? Math.min(left, Math.max(1, giveUpAtNanos - System.nanoTime())) : left);
    }
  }

  /** The store kept failing until the close deadline: count and report what could not be stored. */
  private void giveUp() {
    long lost = batch.letters + dropQueued();
    batch.givenUp(notStored());
    unstored.addAndGet(lost);
    gaveUp = true;
    if (lost > 0 || commitFailures.get() > 0) {
      log.error(
          "gave up on the dead-letter store at the stop's deadline: {} dead letters could not be stored"
              + " ({} commit failures; see the errors above)",
          lost,
          commitFailures.get());
    }
  }

  /** Empties the queue, failing its fences; returns how many letters it held. */
  long dropQueued() {
    long letters = 0;
    for (DeadLetterBlock block; (block = queue.poll()) != null; ) {
      letters += block.size();
      if (block.fenceFuture() != null) {
        block.fenceFuture().completeExceptionally(notStored());
      }
    }
    return letters;
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

  /** Counts letters that never reached the queue (a producer gave up at the deadline). */
  void lost(long letters) {
    unstored.addAndGet(letters);
  }

  boolean lastCommitSucceeded() {
    return lastCommitSucceeded;
  }
}
