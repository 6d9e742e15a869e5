package io.followermaze.delivery;

import io.followermaze.dlq.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

/**
 * The only consumer of one session's ring. Each round drains as many queued lines as fit into one
 * direct buffer (allocated on the first notification, so idle connections cost no buffer) and
 * writes them with one call, then parks until the engine wakes it. It reports its progress to the
 * session: the bytes it took, and when it last completed a write or found nothing to write (so the
 * engine can tell a client that lags from one that has stalled).
 *
 * <p>If a write fails, the lines of that round become dead letters ({@link Reason#CONNECTION_LOST},
 * or the session's close reason when it was closed on purpose); the client may have received part
 * of them, so delivery is at-least-once into the dead-letter queue. When the writer ends it calls
 * {@code onEnd}, after which the outbox belongs to whoever drains it.
 */
public final class SessionWriter implements Runnable {

  private final ClientSession session;
  private final int bufferBytes;
  private final UndeliveredSink undeliverable;
  private final Consumer<ClientSession> onEnd;
  private final byte[][] inFlight;

  /**
   * A writer for {@code session} with a write buffer of {@code bufferBytes}.
   *
   * @param onEnd told once the writer has stopped touching the outbox
   */
  public SessionWriter(
      ClientSession session,
      int bufferBytes,
      UndeliveredSink undeliverable,
      Consumer<ClientSession> onEnd) {
    this.session = session;
    this.bufferBytes = bufferBytes;
    this.undeliverable = undeliverable;
    this.onEnd = onEnd;
    this.inFlight = new byte[ClientSession.RING_CAPACITY][];
  }

  /** Starts the writer on a new virtual thread. */
  public Thread start() {
    Thread thread = Thread.ofVirtual().name("writer-" + session.userId()).unstarted(this);
    session.attachWriter(thread);
    thread.start();
    return thread;
  }

  @Override
  public void run() {
    ByteBuffer buffer = null;
    OneToOneConcurrentArrayQueue<byte[]> ring = session.ring();
    try {
      while (!session.isClosed()) {
        if (buffer == null && !ring.isEmpty()) {
          buffer = ByteBuffer.allocateDirect(bufferBytes);
        }
        int count = buffer == null ? 0 : fill(ring, buffer);
        if (count > 0) {
          session.busy();
          if (!send(buffer, count)) {
            break;
          }
        } else if (session.retiring()) {
          break;
        } else {
          session.idle(); // nothing to write is not a stall
          LockSupport.park(this);
        }
      }
    } finally {
      session.close(session.closeReason(), session.closeError());
      onEnd.accept(session);
    }
  }

  private int fill(OneToOneConcurrentArrayQueue<byte[]> ring, ByteBuffer buffer) {
    buffer.clear();
    int count = 0;
    byte[] lines;
    while (count < inFlight.length
        && (lines = ring.peek()) != null
        && lines.length <= buffer.remaining()) {
      ring.poll();
      buffer.put(lines);
      inFlight[count++] = lines;
    }
    buffer.flip();
    return count;
  }

  private boolean send(ByteBuffer buffer, int count) {
    int bytes = buffer.remaining();
    try {
      session.connection().writeFully(buffer);
      session.took(bytes);
      session.progressed();
      clear(count);
      return true;
    } catch (IOException e) {
      session.close(Reason.CONNECTION_LOST, "write failed: " + e.getMessage());
      // What the connection took before it failed was delivered; the rest of the round was not.
      long delivered = bytes - buffer.remaining();
      for (int i = 0; i < count; i++) {
        byte[] lines = inFlight[i];
        int keep = (int) Math.min(lines.length, Math.max(0, delivered));
        delivered -= lines.length;
        byte[] rest = notTaken(lines, keep);
        if (rest.length > 0) {
          session.undelivered(rest, undeliverable, session.closeReason(), session.closeError());
        }
      }
      session.took(bytes);
      clear(count);
      return false;
    }
  }

  /**
   * The lines of {@code lines} the client did not receive whole, given that its first {@code taken}
   * bytes went out: a line cut off part-way is not received.
   */
  static byte[] notTaken(byte[] lines, int taken) {
    int from = taken;
    while (from > 0 && lines[from - 1] != '\n') {
      from--;
    }
    return from == 0 ? lines : java.util.Arrays.copyOfRange(lines, from, lines.length);
  }

  private void clear(int count) {
    java.util.Arrays.fill(inFlight, 0, count, null);
  }
}
