package io.followermaze.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** Small helpers for the listeners' connections. */
final class Connections {

  private Connections() {}

  /** The peer's address as text, or "?" when it is gone. */
  static String peer(SocketChannel channel) {
    try {
      SocketAddress address = channel.getRemoteAddress();
      return address == null ? "?" : address.toString().replaceFirst("^/", "");
    } catch (IOException e) {
      return "?";
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

  /** Waits for {@code thread} to end; an interrupt ends the wait and stays set. */
  static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
