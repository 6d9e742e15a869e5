package io.followermaze.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The engine's bounded many-producer, one-consumer queue, bounded twice: in commands, and in the
 * lines those commands carry ({@value #MAX_ITEMS}), so that chunks of tiny lines (64 KiB of bare
 * newlines is 65,536 malformed lines, ~4.5 MB of objects) cannot fill the heap. Lock-free:
 * producers that find it full back off and retry (this is back-pressure, and it blocks only the
 * producer); the consumer parks when it is empty and every {@link #put} unparks it.
 */
final class Inbox {

  private static final long FULL_BACKOFF_NANOS = 50_000;

  /**
   * The most lines the queued commands may carry in all (a full inbox of ordinary 64 KiB chunks
   * holds about this many).
   */
  static final long MAX_ITEMS = 256 * 1024;

  private final ManyToOneConcurrentArrayQueue<EngineCommand> queue;
  private final java.util.concurrent.atomic.AtomicLong items =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile Thread consumer;
  private volatile boolean closed;

  Inbox(int capacity) {
    this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
  }

  private static int weight(EngineCommand command) {
    return command instanceof EngineCommand.SourceChunk chunk ? chunk.count() : 1;
  }

  /**
   * Reserves room for {@code weight} lines; a command larger than the bound alone is let in when
   * the inbox is empty.
   */
  private boolean reserve(int weight) {
    long queued;
    do {
      queued = items.get();
      if (queued > 0 && queued + weight > MAX_ITEMS) {
        return false;
      }
    } while (!items.compareAndSet(queued, queued + weight));
    return true;
  }

  private boolean tryOffer(EngineCommand command) {
    int weight = weight(command);
    if (!reserve(weight)) {
      return false;
    }
    if (!queue.offer(command)) {
      items.addAndGet(-weight);
      return false;
    }
    return true;
  }

  void bindConsumer(Thread thread) {
    consumer = thread;
  }

  /**
   * Enqueues {@code command}, waiting while the inbox is full; false once it is closed (the engine
   * has stopped: nobody would take it).
   */
  boolean put(EngineCommand command) {
    while (!tryOffer(command)) {
      if (closed) {
        return false;
      }
      wakeConsumer();
      LockSupport.parkNanos(this, FULL_BACKOFF_NANOS);
    }
    wakeConsumer();
    return true;
  }

  /**
   * Takes no more commands (the consumer has ended) and returns those left; {@link #leftovers}
   * returns any a producer queued meanwhile.
   */
  synchronized List<EngineCommand> close() {
    closed = true;
    return leftovers();
  }

  /** Whether it is closed. */
  boolean closed() {
    return closed;
  }

  /** The commands queued but never taken (after {@link #close}; one thread at a time). */
  synchronized List<EngineCommand> leftovers() {
    List<EngineCommand> left = new ArrayList<>();
    for (EngineCommand command; (command = poll()) != null; ) {
      left.add(command);
    }
    return left;
  }

  /**
   * Enqueues {@code command}, waiting at most {@code nanos} while the inbox is full; returns
   * whether it was taken (a stuck engine must not hold up a shutdown for ever).
   */
  boolean offer(EngineCommand command, long nanos) {
    long deadline = System.nanoTime() + nanos;
    while (!tryOffer(command)) {
      if (closed || System.nanoTime() - deadline >= 0) {
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
    EngineCommand command = queue.poll();
    if (command != null) {
      items.addAndGet(-weight(command));
    }
    return command;
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
