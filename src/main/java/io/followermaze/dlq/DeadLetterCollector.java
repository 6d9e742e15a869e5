package io.followermaze.dlq;

import io.followermaze.lifecycle.Lifetime;
import io.followermaze.lifecycle.Roles;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link DeadLetterSink}: a queue bounded in bytes in front of a {@link
 * DeadLetterStore} ({@link BlockQueue}), and one flusher thread that commits a batch when it holds
 * {@code batchBytes} or when {@code flushInterval} has passed since the last commit, whichever
 * comes first ({@link DeadLetterFlusher}, a role).
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
public final class DeadLetterCollector implements DeadLetterSink {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterCollector.class);
  private static final long FULL_BACKOFF_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  /** What {@link #close} spends at most by default, committing and then indexing. */
  public static final Duration CLOSE_BUDGET = Duration.ofSeconds(10);

  private final DeadLetterStore store;
  private final BlockQueue queue;
  private final DeadLetterFlusher flusher;
  private Roles roles;
  private AutoCloseable flushing = () -> {};
  private final long closeNanos;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A collector whose flusher is not yet started ({@link #start}). */
  public DeadLetterCollector(
      DeadLetterStore store, long queueBytes, long batchBytes, Duration flushInterval) {
    this(store, queueBytes, batchBytes, flushInterval, CLOSE_BUDGET);
  }

  /**
   * As above; {@link #close} spends at most {@code closeBudget} committing and indexing, and gives
   * up on a store that keeps failing after it.
   */
  public DeadLetterCollector(
      DeadLetterStore store,
      long queueBytes,
      long batchBytes,
      Duration flushInterval,
      Duration closeBudget) {
    this.store = store;
    this.closeNanos = closeBudget.toNanos();
    this.queue = new BlockQueue(queueBytes);
    this.flusher = new DeadLetterFlusher(store, queue, batchBytes, flushInterval.toNanos());
  }

  /**
   * Starts the flusher as one of {@code roles} (it parks itself): its errors are counted there, and
   * its death is the process's. Returns this collector.
   */
  public synchronized DeadLetterCollector start(Roles roles) {
    if (this.roles != null) {
      throw new IllegalStateException("the dead-letter collector is already started");
    }
    this.roles = roles;
    this.flushing = roles.start(flusher, NoOpIdleStrategy.INSTANCE);
    return this;
  }

  /**
   * Starts the flusher as one of the lifetime's roles, counts what it holds at the stop as not
   * stored, and gives up at the stop's deadline, so nothing waits for room past it. Returns this.
   */
  public DeadLetterCollector startIn(Lifetime lifetime) {
    start(lifetime.roles());
    lifetime.countNotStored(() -> unstored() + queued());
    lifetime.onStop(() -> giveUpAt(lifetime.stopDeadline()));
    return this;
  }

  @Override
  public void accept(DeadLetter letter) {
    acceptAll(DeadLetterBlock.of(letter));
  }

  private synchronized boolean started() {
    return roles != null;
  }

  /** A collector never started commits what was queued on the closing thread. */
  private void flushHere() {
    flusher.onStart();
    try {
      while (true) {
        flusher.doWork();
      }
    } catch (org.agrona.concurrent.AgentTerminationException e) {
      // done: everything queued was committed or given up on
    } catch (Exception e) {
      log.error("committing the last dead letters failed", e);
    } finally {
      flusher.onClose();
    }
  }

  /**
   * Queues the block, waiting while that would take the queue past its capacity in bytes (a block
   * larger than the whole capacity is taken when the queue is empty).
   */
  @Override
  public void acceptAll(DeadLetterBlock block) {
    if (flusher.closing()) {
      throw new IllegalStateException("the dead-letter collector is closed");
    }
    if (block.size() == 0) {
      return;
    }
    boolean queued = !flusher.gaveUp() && queue.put(block, this::waitForRoom);
    if (queued) {
      flusher.queued();
    } else {
      flusher.lost(block.size());
    }
  }

  /** Waits a little for room; false to give up (past the stop's deadline, or interrupted). */
  private boolean waitForRoom() {
    if (flusher.gaveUp() || Thread.currentThread().isInterrupted()) {
      return false;
    }
    flusher.wake();
    LockSupport.parkNanos(this, FULL_BACKOFF_NANOS);
    return true;
  }

  /**
   * A fence behind everything queued so far: completes once the flusher has committed all of it (at
   * its next commit, within the flush interval), exceptionally if it gives up first.
   */
  @Override
  public CompletableFuture<Void> stored() {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    if (flusher.closing()
        || flusher.gaveUp()
        || !queue.put(DeadLetterBlock.fence(stored), this::waitForRoom)) {
      stored.completeExceptionally(DeadLetterFlusher.notStored());
    }
    return stored;
  }

  /**
   * Sets the stop's deadline (System.nanoTime): what is not committed by then, queued or still
   * waiting for room, is counted in {@link #unstored()}, and nothing waits past it.
   */
  public void giveUpAt(long deadlineNanos) {
    flusher.giveUpAt(deadlineNanos);
  }

  /** For tests: whether the flusher waits with nothing left in the queue. */
  boolean flusherWaiting() {
    return flusher.waiting();
  }

  /** For tests: wakes the flusher for one cycle (it drains what is queued). */
  void nudge() {
    flusher.wake();
  }

  /**
   * Letters that could not be stored because the store kept failing until shutdown gave up (0
   * normally).
   */
  public long unstored() {
    return flusher.unstored();
  }

  /** Letters committed to the store so far. */
  public long committed() {
    return flusher.committed();
  }

  /** Letters waiting to be committed. */
  public long queued() {
    return queue.letters();
  }

  /** Encoded bytes waiting to be committed (what the queue is bounded by). */
  public long queuedBytes() {
    return queue.bytes();
  }

  /** How often {@link #accept} found the queue full and had to wait. */
  public long backPressureWaits() {
    return queue.waits();
  }

  /** How long producers have waited for room in all, in nanoseconds: how long intake was paused. */
  public long backPressureNanos() {
    return queue.waitedNanos();
  }

  /** Whether the last commit attempt succeeded (or none was needed yet) and the flusher lives. */
  public boolean healthy() {
    Roles.Death death = started() ? roles.death() : null;
    return flusher.lastCommitSucceeded()
        && (death == null || !death.role().equals(flusher.roleName()));
  }

  /** Index passes that failed (and were retried later). */
  public long indexFailures() {
    return flusher.indexFailures();
  }

  /** How long indexing has kept failing (zero while it succeeds). */
  public Duration indexFailingFor() {
    return Duration.ofNanos(flusher.indexFailingNanos());
  }

  /** Commits that failed (and were retried). */
  public long commitFailures() {
    return flusher.commitFailures();
  }

  /** How long the last commit took, in nanoseconds. */
  public long lastFlushNanos() {
    return flusher.lastFlushNanos();
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
    long giveUpAt = started + Math.max(0, budget.toNanos());
    flusher.beginClose(giveUpAt);
    if (!started()) {
      flushHere();
    }
    try {
      flusher.awaitEnd();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      flushing.close();
    } catch (Exception e) {
      log.warn("stopping the flusher failed: {}", e.toString());
    }
    flusher.lost(flusher.dropQueued()); // queued while the flusher was giving up
    while (flusher.unstored() == 0
        && System.nanoTime() - giveUpAt < 0
        && flusher.runDeferredWork(true)) {
      // Expand what is left (bounded: the rest is expanded after the next start).
    }
    store.close();
    log.info(
        "dead-letter collector closed: {} letters committed (indexing finished in {} ms)",
        committed(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }
}
