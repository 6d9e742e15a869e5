package io.followermaze.delivery;

import io.followermaze.dlq.Reason;
import io.followermaze.protocol.Event;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * One connected user client: its socket and its bounded outbox of notifications.
 *
 * <p>The outbox is a small lock-free ring shared with the writer. When a burst fills it, further
 * notifications wait in an overflow queue that only the engine touches, and the engine moves them
 * into the ring as the writer frees space ({@link #refill}). The bound that makes a client "too
 * slow" applies to both together, and memory grows only with a client's real backlog.
 *
 * <p>Threads: the engine thread alone calls {@link #enqueue}, {@link #refill}, {@link #wake} and
 * {@link #retire}; the session's writer alone drains the outbox while it runs; once the writer has
 * ended, whoever learns of it (the engine, or the server at shutdown) calls {@link
 * #drainUndelivered}. {@link #close} may be called from any thread.
 */
public final class ClientSession {

  private final int userId;
  private final SocketChannel channel;
  private final String origin;
  private final OneToOneConcurrentArrayQueue<Event> outbox;
  private final int maxBacklog;
  private ArrayDeque<Event> overflow;
  private final AtomicReference<Closure> closure = new AtomicReference<>();
  private volatile boolean retiring;
  private volatile Thread writer;

  /** Engine-thread bookkeeping: whether the session awaits a wake-up at batch end. */
  boolean dirty;

  /** Engine-thread bookkeeping: the session's slot in the registry's list. */
  int registrySlot = -1;

  private record Closure(Reason reason, String error) {}

  /** Slots in the ring shared with the writer; bursts beyond it wait in the overflow queue. */
  static final int RING_CAPACITY = 256;

  /**
   * A session for {@code userId} on {@code channel}.
   *
   * @param maxBacklog how many notifications may wait for this client before it counts as too slow
   */
  public ClientSession(int userId, SocketChannel channel, String origin, int maxBacklog) {
    this.userId = userId;
    this.channel = channel;
    this.origin = origin;
    this.maxBacklog = maxBacklog;
    this.outbox = new OneToOneConcurrentArrayQueue<>(Math.min(RING_CAPACITY, maxBacklog));
  }

  /** The user this connection speaks for. */
  public int userId() {
    return userId;
  }

  /** Who is connected, for logs and dead letters, e.g. {@code client 42 127.0.0.1:50644}. */
  public String origin() {
    return origin;
  }

  SocketChannel channel() {
    return channel;
  }

  OneToOneConcurrentArrayQueue<Event> outbox() {
    return outbox;
  }

  void attachWriter(Thread thread) {
    writer = thread;
  }

  /**
   * Engine thread: queues {@code event} behind everything already waiting; false when the backlog
   * has reached its bound (the client is too slow).
   */
  public boolean enqueue(Event event) {
    if ((overflow == null || overflow.isEmpty()) && outbox.offer(event)) {
      return true;
    }
    if (backlog() >= maxBacklog) {
      return false;
    }
    if (overflow == null) {
      overflow = new ArrayDeque<>();
    }
    overflow.add(event);
    return true;
  }

  /** Engine thread: moves overflow into the ring while it has room; true if some is left. */
  public boolean refill() {
    if (overflow == null) {
      return false;
    }
    while (!overflow.isEmpty() && outbox.offer(overflow.peekFirst())) {
      overflow.pollFirst();
    }
    return !overflow.isEmpty();
  }

  /** Engine thread: notifications waiting for this client, in the ring and the overflow. */
  public int backlog() {
    return outbox.size() + (overflow == null ? 0 : overflow.size());
  }

  /** Engine thread: tells the writer there is work. Cheap when it is already running. */
  public void wake() {
    Thread thread = writer;
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }

  /** Engine thread: no more notifications will come; the writer sends what is queued and closes. */
  public void retire() {
    retiring = true;
    wake();
  }

  boolean retiring() {
    return retiring;
  }

  /**
   * Closes the connection now, for {@code reason}; what is still queued becomes dead letters with
   * that reason. The first call decides the reason; later calls change nothing.
   */
  public void close(Reason reason, String error) {
    if (closure.compareAndSet(null, new Closure(reason, error))) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing is best effort; the writer notices either way.
      }
    }
    wake();
  }

  /** Whether {@link #close} has been called. */
  public boolean isClosed() {
    return closure.get() != null;
  }

  /** Why the session was closed, or {@link Reason#CONNECTION_LOST} if it was not. */
  public Reason closeReason() {
    Closure c = closure.get();
    return c == null ? Reason.CONNECTION_LOST : c.reason();
  }

  /** The explanation given when the session was closed. */
  public String closeError() {
    Closure c = closure.get();
    return c == null ? "connection closed" : c.error();
  }

  /**
   * After the writer has ended, on the engine thread (or once the engine has stopped): hands every
   * notification still queued to {@code undeliverable}, in order, with the close reason. Returns
   * how many there were.
   */
  public int drainUndelivered(Undeliverable undeliverable) {
    int count = 0;
    for (Event event = outbox.poll(); event != null; event = outbox.poll()) {
      undeliverable.notDelivered(this, event, closeReason(), closeError());
      count++;
    }
    if (overflow != null) {
      for (Event event = overflow.pollFirst(); event != null; event = overflow.pollFirst()) {
        undeliverable.notDelivered(this, event, closeReason(), closeError());
        count++;
      }
    }
    return count;
  }

  @Override
  public String toString() {
    return origin;
  }
}
