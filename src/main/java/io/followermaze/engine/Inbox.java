package io.followermaze.engine;

import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The engine's bounded many-producer, one-consumer queue. Lock-free: producers that find it full
 * back off and retry (this is back-pressure, and it blocks only the producer); the consumer parks
 * when it is empty and every {@link #put} unparks it.
 */
final class Inbox {

  private static final long FULL_BACKOFF_NANOS = 50_000;

  private final ManyToOneConcurrentArrayQueue<EngineCommand> queue;
  private volatile Thread consumer;

  Inbox(int capacity) {
    this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
  }

  void bindConsumer(Thread thread) {
    consumer = thread;
  }

  /** Enqueues {@code command}, waiting while the inbox is full. */
  void put(EngineCommand command) {
    while (!queue.offer(command)) {
      wakeConsumer();
      LockSupport.parkNanos(this, FULL_BACKOFF_NANOS);
    }
    wakeConsumer();
  }

  /**
   * Enqueues {@code command}, waiting at most {@code nanos} while the inbox is full; returns whether
   * it was taken (a stuck engine must not hold up a shutdown for ever).
   */
  boolean offer(EngineCommand command, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (!queue.offer(command)) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      wakeConsumer();
      LockSupport.parkNanos(this, FULL_BACKOFF_NANOS);
    }
    wakeConsumer();
    return true;
  }

  /** The next command, or null when there is none. */
  EngineCommand poll() {
    return queue.poll();
  }

  /** Parks the consumer for up to {@code nanos} unless a command is waiting. */
  void await(long nanos) {
    if (queue.isEmpty()) {
      LockSupport.parkNanos(this, nanos);
    }
  }

  int size() {
    return queue.size();
  }

  private void wakeConsumer() {
    Thread thread = consumer;
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }
}
