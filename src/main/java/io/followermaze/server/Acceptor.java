package io.followermaze.server;

import io.followermaze.lifecycle.Roles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket and the role that accepts on it (a named thread, see {@code
 * lifecycle.Roles}), handing each connection to a handler. A failed accept is logged and the next
 * cycle goes on; closing the socket ends the role, as expected, and {@link #close} waits for it.
 */
final class Acceptor implements Agent, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Acceptor.class);

  private final ServerSocketChannel server;
  private final Consumer<SocketChannel> handler;
  private final String role;
  private AutoCloseable running;

  /** Binds {@code bind:port} now; accepting starts with {@link #start()}. */
  Acceptor(String role, String bind, int port, int backlog, Consumer<SocketChannel> handler)
      throws IOException {
    this.role = role;
    this.server = ServerSocketChannel.open().bind(new InetSocketAddress(bind, port), backlog);
    this.handler = handler;
  }

  /** Starts accepting, as one of {@code roles}. */
  void start(Roles roles) {
    running = roles.start(this, NoOpIdleStrategy.INSTANCE);
  }

  @Override
  public String roleName() {
    return role + "-acceptor";
  }

  int port() {
    return server.socket().getLocalPort();
  }

  @Override
  public int doWork() {
    try {
      handler.accept(server.accept());
      return 1;
    } catch (ClosedChannelException e) {
      throw new AgentTerminationException(true); // closed: accepting is over
    } catch (IOException e) {
      log.warn("accepting a {} connection failed: {}", role, e.getMessage());
      return 0;
    }
  }

  /** Stops accepting and waits for the accepting thread to end. */
  @Override
  public void close() {
    Connections.closeQuietly(server);
    if (running != null) {
      try {
        running.close();
      } catch (Exception e) {
        log.warn("stopping the {} acceptor failed: {}", role, e.toString());
      }
    }
  }
}
