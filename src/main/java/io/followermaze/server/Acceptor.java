package io.followermaze.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket and the named thread that accepts on it, handing each connection to a
 * handler. A failed accept is logged and the loop goes on; closing stops it and waits for it.
 */
final class Acceptor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Acceptor.class);

  private final ServerSocketChannel server;
  private final Thread thread;
  private final String role;

  /** Binds {@code bind:port} now; accepting starts with {@link #start()}. */
  Acceptor(String role, String bind, int port, int backlog, Consumer<SocketChannel> handler)
      throws IOException {
    this.role = role;
    this.server = ServerSocketChannel.open().bind(new InetSocketAddress(bind, port), backlog);
    this.thread =
        Thread.ofPlatform().name(role + "-acceptor").daemon().unstarted(() -> acceptLoop(handler));
  }

  void start() {
    thread.start();
  }

  int port() {
    return server.socket().getLocalPort();
  }

  private void acceptLoop(Consumer<SocketChannel> handler) {
    while (server.isOpen()) {
      try {
        handler.accept(server.accept());
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.warn("accepting a {} connection failed: {}", role, e.getMessage());
      }
    }
  }

  /** Stops accepting and waits for the accepting thread to end. */
  @Override
  public void close() {
    Connections.closeQuietly(server);
    Connections.join(thread);
  }
}
