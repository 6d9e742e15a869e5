package io.followermaze.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Where a session's bytes go: a client's socket in the server, something in memory in tests (the
 * idea of Netty's {@code EmbeddedChannel}), so delivery is testable without a network.
 */
public interface Connection {

  /** Writes all of {@code buffer}, blocking while the peer does not take it. */
  void writeFully(ByteBuffer buffer) throws IOException;

  /** Closes the connection; a write blocked in {@link #writeFully} then fails. */
  void close() throws IOException;

  /** A blocking socket channel as a connection. */
  static Connection of(SocketChannel channel) {
    return new Connection() {
      @Override
      public void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }
}
