package io.followermaze.delivery;

import io.followermaze.dlq.Reason;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * One connected user client: its socket and its backlog of notification lines.
 *
 * <p>The engine copies each notification line back to back into a {@link LineBacklog} that only it
 * touches (no object per notification), and when it wakes the writer it moves the chunks into a
 * small lock-free ring the writer drains, as the writer frees slots ({@link #refill}): the writer
 * takes a batch's lines for a client in one chunk rather than line by line (one wake-up and one
 * write per chunk, not per notification; docs/benchmarks.md). What a client may hold is decided by
 * the engine in bytes ({@link #backlogBytes}, {@link #stalledNanos}): a client that keeps draining
 * keeps its backlog, however large the burst.
 *
 * <p>Threads: the engine thread alone calls {@link #enqueue}, {@link #refill}, {@link #wake},
 * {@link #retire} and the byte accounting; the session's writer alone drains the ring while it runs
 * and reports its progress; once the writer has ended, whoever learns of it (the engine, or the
 * server at shutdown) calls {@link #drainUndelivered}. {@link #close} may be called from any
 * thread.
 *
 * <p>It is the one place where the engine's and the writer's views of a connection meet (ring,
 * backlog, byte accounting, closure), so that the threading rules above live in one class.
 */
public final class ClientSession {

  /** Chunks in the ring shared with the writer; more wait in the line backlog. */
  static final int RING_CAPACITY = 256;

  private final int userId;
  private final Connection connection;
  private final String origin;
  private final int maxChunk;

  private final OneToOneConcurrentArrayQueue<byte[]> ring =
      new OneToOneConcurrentArrayQueue<>(RING_CAPACITY);
  private LineBacklog backlog;
  private final AtomicReference<Closure> closure = new AtomicReference<>();
  private volatile boolean retiring;
  private volatile Thread writer;

  /** Writer-published: bytes taken out of the ring for good (written, or handed on as lost). */
  private volatile long taken;

  /** Writer-published: when the writer last completed a write or had nothing to write. */
  private volatile long progressNanos = System.nanoTime();

  /** Writer-published: whether it has caught up and waits for work. */
  private volatile boolean idle = true;

  /** Engine-thread bookkeeping: bytes ever queued, and {@link #taken} as last read. */
  private long queuedBytes;

  private long takenSeen;

  /** Engine-thread bookkeeping: whether the session awaits a wake-up at batch end. */
  boolean dirty;

  /** Engine-thread bookkeeping: when the pending wake-up is due. */
  long dueNanos;

  /** Engine-thread bookkeeping: when the writer was last woken ({@link #wake}), if ever. */
  long wokenNanos;

  boolean wokenOnce;

  /** Engine-thread bookkeeping: {@link #queuedBytes} when the writer was last woken. */
  private long queuedAtWake;

  /** Engine-thread bookkeeping: whether the budget watches this session for a stall. */
  boolean lagging;

  /** Engine-thread bookkeeping: the session's slot in the registry's list. */
  int registrySlot = -1;

  private record Closure(Reason reason, String error) {}

  /**
   * A session for {@code userId} on {@code connection}.
   *
   * @param writeBufferBytes the writer's buffer: backlog chunks never exceed it
   */
  public ClientSession(int userId, Connection connection, String origin, int writeBufferBytes) {
    this.userId = userId;
    this.connection = connection;
    this.origin = origin;
    this.maxChunk = writeBufferBytes;
  }

  /** The user this connection speaks for. */
  public int userId() {
    return userId;
  }

  /** Who is connected, for logs and dead letters, e.g. {@code client 42 127.0.0.1:50644}. */
  public String origin() {
    return origin;
  }

  Connection connection() {
    return connection;
  }

  OneToOneConcurrentArrayQueue<byte[]> ring() {
    return ring;
  }

  void attachWriter(Thread thread) {
    writer = thread;
  }

  /**
   * Engine thread: queues {@code event}'s line behind everything already waiting (the writer gets
   * it with the next {@link #refill}).
   */
  public void enqueue(Event event) {
    byte[] line = event.line();
    queuedBytes += line.length;
    if (backlog == null) {
      backlog = new LineBacklog(maxChunk);
    }
    backlog.add(line);
  }

  /** Engine thread: moves backlog chunks into the ring while it has room; true if some is left. */
  public boolean refill() {
    if (backlog == null) {
      return false;
    }
    for (byte[] chunk = backlog.peek(); chunk != null; chunk = backlog.peek()) {
      if (!ring.offer(chunk)) {
        return true;
      }
      backlog.remove();
    }
    return false;
  }

  /**
   * Engine thread: whether what was queued since the last wake-up fills the writer's buffer (no
   * reason to linger).
   */
  boolean fillsAWrite() {
    return queuedBytes - queuedAtWake >= maxChunk;
  }

  /**
   * Engine thread: bytes queued and not yet taken by the writer, as of the last {@link
   * #takenSinceLastCall} (an upper bound: the writer may have taken more since).
   */
  public long backlogBytes() {
    return queuedBytes - takenSeen;
  }

  /** Engine thread: the bytes queued outside the writer's ring (the engine alone holds them). */
  long overflowBytes() {
    return backlog == null ? 0 : backlog.bytes();
  }

  /** Engine thread: reads the writer's progress; returns the bytes it took since the last call. */
  public long takenSinceLastCall() {
    long now = taken;
    long delta = now - takenSeen;
    takenSeen = now;
    return delta;
  }

  /**
   * How long, at {@code nowNanos} ({@link System#nanoTime}), the writer has been inside one write
   * that the client does not take: 0 or little while it keeps draining or has nothing to write.
   */
  public long stalledNanos(long nowNanos) {
    // A writer waiting for a wake-up is not stuck in a write, however long it has been idle: the
    // clock starts when it starts a write.
    return idle ? 0 : nowNanos - progressNanos;
  }

  /** Writer thread: {@code bytes} left the ring for good. */
  void took(long bytes) {
    taken = taken + bytes; // single writer
  }

  /** Writer thread: a write completed. */
  void progressed() {
    progressNanos = System.nanoTime();
  }

  /** Writer thread: there is nothing to write; it waits for a wake-up. */
  void idle() {
    progressNanos = System.nanoTime();
    idle = true;
  }

  /** Writer thread: it starts a write. */
  void busy() {
    progressNanos = System.nanoTime();
    idle = false;
  }

  /**
   * Engine thread, at {@code nowNanos}: tells the writer there is work (cheap when it is already
   * running) and notes what it was handed, for the linger ({@link PendingWakeups}).
   */
  void wake(long nowNanos) {
    queuedAtWake = queuedBytes;
    wokenNanos = nowNanos;
    wokenOnce = true;
    unparkWriter();
  }

  private void unparkWriter() {
    Thread thread = writer;
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }

  /** Engine thread: no more notifications will come; the writer sends what is queued and closes. */
  public void retire() {
    retiring = true;
    unparkWriter();
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
        connection.close();
      } catch (IOException ignored) {
        // Closing is best effort; the writer notices either way.
      }
    }
    unparkWriter();
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
   * Engine thread: hands what waits outside the ring to {@code undeliverable} (in order, for {@code
   * reason}) and forgets it, so its memory is free now; returns the bytes dropped.
   */
  public long dropOverflow(UndeliveredSink undeliverable, Reason reason, String error) {
    if (backlog == null) {
      return 0;
    }
    long bytes = backlog.bytes();
    for (byte[] chunk = backlog.peek(); chunk != null; chunk = backlog.peek()) {
      backlog.remove();
      undelivered(chunk, undeliverable, reason, error);
    }
    queuedBytes -= bytes;
    return bytes;
  }

  /**
   * After the writer has ended, on the engine thread (or once the engine has stopped): hands every
   * notification still queued to {@code undeliverable}, in order, with the close reason. Returns
   * how many there were.
   */
  public int drainUndelivered(UndeliveredSink undeliverable) {
    int count = 0;
    for (byte[] lines = ring.poll(); lines != null; lines = ring.poll()) {
      count += undelivered(lines, undeliverable, closeReason(), closeError());
    }
    if (backlog != null) {
      for (byte[] chunk = backlog.peek(); chunk != null; chunk = backlog.peek()) {
        backlog.remove();
        count += undelivered(chunk, undeliverable, closeReason(), closeError());
      }
    }
    return count;
  }

  /**
   * Hands each line of {@code lines} (one notification, or a backlog chunk of several) back to
   * {@code undeliverable} as its event; returns how many.
   */
  int undelivered(byte[] lines, UndeliveredSink undeliverable, Reason reason, String error) {
    int count = 0;
    int start = 0;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i] == '\n' || i == lines.length - 1) {
        byte[] line =
            start == 0 && i == lines.length - 1 ? lines : Arrays.copyOfRange(lines, start, i + 1);
        if (EventParser.parse(line) instanceof Event event) {
          undeliverable.notDelivered(this, event, reason, error);
          count++;
        }
        start = i + 1;
      }
    }
    return count;
  }

  @Override
  public String toString() {
    return origin;
  }
}
