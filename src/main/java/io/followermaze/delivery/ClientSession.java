package io.followermaze.delivery;

import io.followermaze.deadletter.Reason;
import io.followermaze.protocol.Event;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * One connected user client: its socket and its bounded outbox of notifications.
 *
 * <p>Threads: the engine thread alone calls {@link #offer}, {@link #wake} and {@link #retire}; the
 * session's writer alone drains the outbox while it runs; once the writer has ended, whoever
 * learns of it (the engine, or the server at shutdown) calls {@link #drainUndelivered}. {@link
 * #close} may be called from any thread.
 */
public final class ClientSession {

  private final int userId;
  private final SocketChannel channel;
  private final String origin;
  private final OneToOneConcurrentArrayQueue<Event> outbox;
  private final AtomicReference<Closure> closure = new AtomicReference<>();
  private volatile boolean retiring;
  private volatile Thread writer;

  /** Engine-thread bookkeeping: whether the session awaits a wake-up at batch end. */
  boolean dirty;

  /** Engine-thread bookkeeping: the session's slot in the registry's list. */
  int registrySlot = -1;

  private record Closure(Reason reason, String error) {}

  /**
   * A session for {@code userId} on {@code channel}.
   *
   * @param outboxCapacity how many notifications may wait for the writer
   */
  public ClientSession(int userId, SocketChannel channel, String origin, int outboxCapacity) {
    this.userId = userId;
    this.channel = channel;
    this.origin = origin;
    this.outbox = new OneToOneConcurrentArrayQueue<>(outboxCapacity);
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

  /** Engine thread: queues {@code event}; false when the outbox is full. */
  public boolean offer(Event event) {
    return outbox.offer(event);
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

  /** How many notifications are queued. */
  public int queued() {
    return outbox.size();
  }

  /**
   * After the writer has ended: hands every notification still queued to {@code undeliverable},
   * with the close reason. Returns how many there were.
   */
  public int drainUndelivered(Undeliverable undeliverable) {
    int count = 0;
    for (Event event = outbox.poll(); event != null; event = outbox.poll()) {
      undeliverable.notDelivered(this, event, closeReason(), closeError());
      count++;
    }
    return count;
  }

  @Override
  public String toString() {
    return origin;
  }
}
