package io.followermaze.dlq;

import io.followermaze.lifecycle.Roles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link DeadLetterSink}: a queue bounded in bytes in front of a {@link
 * DeadLetterStore}, and one flusher thread that commits a batch when it holds {@code batchBytes} or
 * when {@code flushInterval} has passed since the last commit, whichever comes first.
 *
 * <p>The store sets the pace: when the queue is full, {@link #accept} waits for room. The engine
 * then stops, its inbox fills, the event-source reader stops reading, and TCP slows the source.
 * Nothing is dropped. A failed commit is logged, counted and retried with the same batch.
 *
 * <p>Producers hand over {@link DeadLetterBlock}s (the engine: one per command, at most 256 KiB) or
 * single letters; the queue is bounded in encoded bytes, so a fan-out to a million offline users
 * costs its few bytes per recipient, never more than the bound. What a {@code kill -9} can lose is
 * what was not yet committed: at most the queue plus one batch ({@code queueBytes + batchBytes},
 * plus the block a producer is still filling), or less than {@code flushInterval} of them when
 * traffic is light.
 */
public final class DeadLetterCollector implements DeadLetterSink, Agent {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterCollector.class);
  private static final long FULL_BACKOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAINTENANCE_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long FAILURE_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** What {@link #close} spends at most by default, committing and then indexing. */
  public static final Duration CLOSE_BUDGET = Duration.ofSeconds(10);

  private final DeadLetterStore store;
  private final ManyToOneConcurrentArrayQueue<DeadLetterBlock> queue;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong queuedLetters = new AtomicLong();
  private final long queueBytes;
  private final long batchBytes;
  private final long flushIntervalNanos;
  private final Roles roles = new Roles();
  private final CountDownLatch flusherEnded = new CountDownLatch(1);
  private volatile Thread flusher;
  private final Batch batch = new Batch();
  private long lastCommit;
  private long lastMaintenance;
  private final long closeNanos;
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong backPressureWaits = new AtomicLong();
  private final AtomicLong backPressureNanos = new AtomicLong();
  private final AtomicLong commitFailures = new AtomicLong();
  private final AtomicLong lastFlushNanos = new AtomicLong();
  private volatile boolean closing;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long giveUpAtNanos = Long.MAX_VALUE;
  private final AtomicLong unstored = new AtomicLong();
  private volatile boolean flusherParked;

  /** What the flusher's batch held when it parked: a producer that completes the batch wakes it. */
  private volatile long parkedBatchBytes;

  private long lastFailureLogNanos;
  private volatile boolean lastCommitSucceeded = true;

  /** Starts the flusher. */
  public DeadLetterCollector(
      DeadLetterStore store, long queueBytes, long batchBytes, Duration flushInterval) {
    this(store, queueBytes, batchBytes, flushInterval, CLOSE_BUDGET);
  }

  /**
   * Starts the flusher; {@link #close} spends at most {@code closeBudget} committing and indexing,
   * and gives up on a store that keeps failing after it.
   */
  public DeadLetterCollector(
      DeadLetterStore store,
      long queueBytes,
      long batchBytes,
      Duration flushInterval,
      Duration closeBudget) {
    this.store = store;
    this.closeNanos = closeBudget.toNanos();
    // A block is at least ~16 bytes, so the queue never holds more blocks than this.
    this.queue =
        new ManyToOneConcurrentArrayQueue<>((int) Math.min(1 << 20, Math.max(64, queueBytes / 16)));
    this.queueBytes = queueBytes;
    this.batchBytes = batchBytes;
    this.flushIntervalNanos = flushInterval.toNanos();
    roles.start(this, NoOpIdleStrategy.INSTANCE);
  }

  /**
   * The flusher's role (it parks itself): its errors are counted there, and a listener on {@link
   * Roles#onDeath} hears if it dies.
   */
  public Roles roles() {
    return roles;
  }

  @Override
  public String roleName() {
    return "dlq-flusher";
  }

  @Override
  public void onStart() {
    flusher = Thread.currentThread();
    lastCommit = System.nanoTime();
    lastMaintenance = System.nanoTime() - MAINTENANCE_NANOS;
  }

  @Override
  public void onClose() {
    flusherEnded.countDown();
  }

  @Override
  public void accept(DeadLetter letter) {
    acceptAll(DeadLetterBlock.of(letter));
  }

  /**
   * Queues the block, waiting while that would take the queue past its capacity in bytes (a block
   * larger than the whole capacity is taken when the queue is empty).
   */
  @Override
  public void acceptAll(DeadLetterBlock block) {
    if (closing) {
      throw new IllegalStateException("the dead-letter collector is closed");
    }
    if (block.size() == 0) {
      return;
    }
    if (!reserve(block.bytes())) {
      backPressureWaits.incrementAndGet();
      long waitStarted = System.nanoTime();
      do {
        LockSupport.unpark(flusher);
        LockSupport.parkNanos(this, FULL_BACKOFF_NANOS);
      } while (!reserve(block.bytes()));
      backPressureNanos.addAndGet(System.nanoTime() - waitStarted);
    }
    while (!queue.offer(block)) {
      Thread
          .onSpinWait(); // The queue has a slot per 16 reserved bytes, so this is a momentary race
      // at most.
    }
    queuedLetters.addAndGet(block.size());
    if (flusherParked && queuedBytes.get() + parkedBatchBytes >= batchBytes) {
      LockSupport.unpark(flusher);
    }
  }

  /** For tests: whether the flusher waits with nothing left in the queue. */
  boolean flusherWaiting() {
    return flusherParked && queuedBytes.get() == 0;
  }

  /** For tests: wakes the flusher for one cycle (it drains what is queued). */
  void nudge() {
    LockSupport.unpark(flusher);
  }

  private boolean reserve(int bytes) {
    long queued;
    do {
      queued = queuedBytes.get();
      if (queued > 0 && queued + bytes > queueBytes) {
        return false;
      }
    } while (!queuedBytes.compareAndSet(queued, queued + bytes));
    return true;
  }

  /**
   * One flusher cycle: commit a due batch, expand what waits for indexing, or park until letters
   * arrive or the flush interval passes. Ends, as expected, once closing has drained everything.
   */
  @Override
  public int doWork() {
    if (closing && queue.isEmpty() && batch.isEmpty()) {
      throw new AgentTerminationException(true);
    }
    if (closing && System.nanoTime() - giveUpAtNanos >= 0) {
      giveUp(batch);
      throw new AgentTerminationException(true);
    }
    if (System.nanoTime() - lastMaintenance >= MAINTENANCE_NANOS) {
      maintain();
      lastMaintenance = System.nanoTime();
    }
    drainInto(batch);
    long now = System.nanoTime();
    boolean due =
        batch.bytes >= batchBytes
            || (!batch.isEmpty() && (now - lastCommit >= flushIntervalNanos || closing));
    if (due) {
      if (commit(batch)) {
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
    flusherParked = true;
    if (queuedBytes.get() + batch.bytes < batchBytes && !closing) {
      LockSupport.parkNanos(
          this, batch.isEmpty() ? flushIntervalNanos : flushIntervalNanos - (now - lastCommit));
    }
    flusherParked = false;
    return 0;
  }

  private void drainInto(Batch batch) {
    DeadLetterBlock block;
    while (batch.bytes < batchBytes && (block = queue.poll()) != null) {
      batch.blocks.add(block);
      batch.letters += block.size();
      batch.bytes += block.bytes();
      queuedBytes.addAndGet(-block.bytes());
      queuedLetters.addAndGet(-block.size());
    }
  }

  private boolean commit(Batch batch) {
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
  private void giveUp(Batch batch) {
    long lost = batch.letters;
    for (DeadLetterBlock block; (block = queue.poll()) != null; ) {
      lost += block.size();
      queuedBytes.addAndGet(-block.bytes());
      queuedLetters.addAndGet(-block.size());
    }
    batch.clear();
    unstored.set(lost);
    log.error(
        "gave up on the dead-letter store at shutdown: {} dead letters could not be stored ({} commit failures;"
            + " see the errors above)",
        lost,
        commitFailures.get());
  }

  /**
   * Letters that could not be stored because the store kept failing until shutdown gave up (0
   * normally).
   */
  public long unstored() {
    return unstored.get();
  }

  private boolean catchUp(boolean force) {
    try {
      return store.catchUp(force);
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

  /** The blocks of the next commit. */
  private static final class Batch {
    final List<DeadLetterBlock> blocks = new ArrayList<>();
    long letters;
    long bytes;

    boolean isEmpty() {
      return blocks.isEmpty();
    }

    void clear() {
      blocks.clear();
      letters = 0;
      bytes = 0;
    }
  }

  /** Letters committed to the store so far. */
  public long committed() {
    return committed.get();
  }

  /** Letters waiting to be committed. */
  public long queued() {
    return queuedLetters.get();
  }

  /** Encoded bytes waiting to be committed (what the queue is bounded by). */
  public long queuedBytes() {
    return queuedBytes.get();
  }

  /** How often {@link #accept} found the queue full and had to wait. */
  public long backPressureWaits() {
    return backPressureWaits.get();
  }

  /** How long producers have waited for room in all, in nanoseconds: how long intake was paused. */
  public long backPressureNanos() {
    return backPressureNanos.get();
  }

  /** Whether the last commit attempt succeeded (or none was needed yet) and the flusher lives. */
  public boolean healthy() {
    return lastCommitSucceeded && roles.death() == null;
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
   * Commits everything accepted so far and spends what is left of the close budget (10 s by
   * default) on the store's deferred work (indexing), then closes the store. A store that keeps
   * failing is given up on when the budget is spent; {@link #unstored()} then says how many letters
   * were lost.
   */
  @Override
  public void close() {
    close(Duration.ofNanos(closeNanos));
  }

  /**
   * As {@link #close()}, with {@code budget} instead of the configured close budget (what a
   * shutdown has left). Closing again does nothing.
   */
  public void close(Duration budget) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long started = System.nanoTime();
    giveUpAtNanos = started + Math.max(0, budget.toNanos());
    closing = true;
    Thread thread = flusher;
    if (thread != null) {
      LockSupport.unpark(thread);
    }
    try {
      flusherEnded.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    roles.close();
    while (unstored.get() == 0 && System.nanoTime() - giveUpAtNanos < 0 && catchUp(true)) {
      // Expand what is left (bounded: the rest is expanded after the next start).
    }
    store.close();
    log.info(
        "dead-letter collector closed: {} letters committed (indexing finished in {} ms)",
        committed(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }
}
