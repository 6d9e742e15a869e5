package io.followermaze.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A connection in memory: keeps what is written, or, while stalled, blocks every write until it is
 * closed (as a socket whose peer stopped reading does).
 */
final class InMemoryConnection implements Connection {

  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final boolean stalled;

  private InMemoryConnection(boolean stalled) {
    this.stalled = stalled;
  }

  static InMemoryConnection draining() {
    return new InMemoryConnection(false);
  }

  static InMemoryConnection stalled() {
    return new InMemoryConnection(true);
  }

  @Override
  public void writeFully(ByteBuffer buffer) throws IOException {
    if (stalled) {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (closed.getCount() == 0) {
      throw new IOException("connection closed");
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    synchronized (written) {
      written.writeBytes(bytes);
    }
  }

  @Override
  public void close() {
    closed.countDown();
  }

  boolean isClosed() {
    return closed.getCount() == 0;
  }

  /** The lines written so far, without terminators. */
  List<String> lines() {
    synchronized (written) {
      return written.toString(StandardCharsets.US_ASCII).lines().toList();
    }
  }
}
