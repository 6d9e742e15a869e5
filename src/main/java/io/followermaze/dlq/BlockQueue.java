package io.followermaze.dlq;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The collector's intake: blocks in arrival order from many producers to one flusher, bounded in
 * encoded bytes, so a fan-out to a million offline users costs its few bytes per recipient and
 * never more than the bound. A producer that finds it full waits; how often and how long is
 * counted.
 */
final class BlockQueue {

  private final ManyToOneConcurrentArrayQueue<DeadLetterBlock> queue;
  private final long capacityBytes;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong letters = new AtomicLong();
  private final AtomicLong waits = new AtomicLong();
  private final AtomicLong waitedNanos = new AtomicLong();

  BlockQueue(long capacityBytes) {
    this.capacityBytes = capacityBytes;
    // A block is at least ~16 bytes, so the queue never holds more blocks than this.
    this.queue =
        new ManyToOneConcurrentArrayQueue<>(
            (int) Math.min(1 << 20, Math.max(64, capacityBytes / 16)));
  }

  /**
   * Queues {@code block}; while that would take the queue past its capacity, asks {@code waitMore}
   * (which waits a little and says whether to keep waiting) and tries again. A block larger than
   * the whole capacity is taken when the queue is empty. Returns false if {@code waitMore} gave up
   * (the block was not queued).
   */
  boolean put(DeadLetterBlock block, BooleanSupplier waitMore) {
    if (!reserve(block.bytes())) {
      waits.incrementAndGet();
      long waitStarted = System.nanoTime();
      try {
        do {
          if (!waitMore.getAsBoolean()) {
            return false;
          }
        } while (!reserve(block.bytes()));
      } finally {
        waitedNanos.addAndGet(System.nanoTime() - waitStarted);
      }
    }
    while (!queue.offer(block)) {
      Thread.onSpinWait(); // a slot per 16 reserved bytes: a momentary race at most
    }
    letters.addAndGet(block.size());
    return true;
  }

  /** The oldest block, or null when empty (the one consumer only). */
  DeadLetterBlock poll() {
    DeadLetterBlock block = queue.poll();
    if (block != null) {
      bytes.addAndGet(-block.bytes());
      letters.addAndGet(-block.size());
    }
    return block;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Encoded bytes queued (what the queue is bounded by). */
  long bytes() {
    return bytes.get();
  }

  /** Letters queued. */
  long letters() {
    return letters.get();
  }

  /** How often a producer found the queue full and had to wait. */
  long waits() {
    return waits.get();
  }

  /** How long producers have waited for room in all, in nanoseconds. */
  long waitedNanos() {
    return waitedNanos.get();
  }

  private boolean reserve(int size) {
    long queued;
    do {
      queued = bytes.get();
      if (queued > 0 && queued + size > capacityBytes) {
        return false;
      }
    } while (!bytes.compareAndSet(queued, queued + size));
    return true;
  }
}
