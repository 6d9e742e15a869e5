package io.followermaze.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** Small helpers for the listeners' connections. */
final class Sockets {

  private Sockets() {}

  /** The peer's address as text, or "?" when it is gone. */
  static String peer(SocketChannel channel) {
    try {
      SocketAddress address = channel.getRemoteAddress();
      return address == null ? "?" : address.toString().replaceFirst("^/", "");
    } catch (IOException e) {
      return "?";
    }
  }

  private static final int LINGER_MILLIS = 500;
  private static final int LINGER_BYTES = 4 << 20;

  /**
   * Refuses a peer that may still be sending (a client in its handshake): writes the {@code ERROR}
   * line, half-closes, and reads and discards what the peer still sends (at most {@value
   * #LINGER_MILLIS} ms and 4 MiB) before closing, so the kernel does not reset the connection and
   * throw the error line away. Blocks that long at most: call it on the connection's own thread.
   */
  static void refuseLingering(SocketChannel channel, String message) {
    try (channel) {
      channel.write(ByteBuffer.wrap(("ERROR " + message + "\n").getBytes(StandardCharsets.UTF_8)));
      channel.shutdownOutput();
      channel.socket().setSoTimeout(LINGER_MILLIS);
      long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
      byte[] discard = new byte[64 * 1024];
      var in = channel.socket().getInputStream();
      for (long total = 0; total < LINGER_BYTES && System.nanoTime() < deadline; ) {
        int n = in.read(discard);
        if (n < 0) {
          break;
        }
        total += n;
      }
    } catch (IOException ignored) {
      // Timed out, reset or gone: either way the peer has been told, as far as it would listen.
    }
  }

  /** Writes one {@code ERROR ...} line and closes, ignoring failures: the peer is being refused. */
  static void refuse(SocketChannel channel, String message) {
    try (channel) {
      channel.write(ByteBuffer.wrap(("ERROR " + message + "\n").getBytes(StandardCharsets.UTF_8)));
    } catch (IOException ignored) {
      // The peer may already be gone; refusing it is all that was left to do.
    }
  }

  /** Closes quietly. */
  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Shutting down: nothing useful to do with a failure to close.
    }
  }
}
