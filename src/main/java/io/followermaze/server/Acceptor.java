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
 * lifecycle.Roles}), handing each connection to a handler. A failed accept backs off and is logged
 * at a limited rate, and the next cycle goes on; closing the socket ends the role, as expected, and
 * {@link #close} waits for it.
 */
final class Acceptor implements Agent, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Acceptor.class);

  private final ServerSocketChannel server;
  private final Consumer<SocketChannel> handler;
  private final String role;
  private AutoCloseable running;

  private static final long FIRST_BACKOFF_MILLIS = 10;
  private static final long MAX_BACKOFF_MILLIS = 1_000;
  private static final long LOG_EVERY_MILLIS = 10_000;
  private int failures;
  private long failed;
  private long lastLogMillis;

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
  public int doWork() throws InterruptedException {
    try {
      handler.accept(server.accept());
      failures = 0;
      return 1;
    } catch (ClosedChannelException e) {
      throw new AgentTerminationException(true); // closed: accepting is over
    } catch (IOException e) {
      backOff(e);
      return 0;
    }
  }

  /**
   * A failed accept (most often "Too many open files": the connection waits in the backlog, and
   * accepting again at once fails again) waits before the next try, doubling from {@value
   * #FIRST_BACKOFF_MILLIS} ms to {@value #MAX_BACKOFF_MILLIS} ms, and is logged at most every
   * {@value #LOG_EVERY_MILLIS} ms with the count since: no hot loop, no log flood, and accepting
   * resumes as soon as descriptors are free.
   */
  private void backOff(IOException e) throws InterruptedException {
    failures++;
    failed++;
    long now = System.currentTimeMillis();
    if (now - lastLogMillis >= LOG_EVERY_MILLIS) {
      log.warn(
          "accepting a {} connection failed ({} times since the last report; retrying with a back-off): {}",
          role,
          failed,
          e.getMessage());
      lastLogMillis = now;
      failed = 0;
    }
    Thread.sleep(Math.min(MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(10, failures - 1)));
  }

  /** Stops accepting and waits for the accepting thread to end. */
  @Override
  public void close() {
    Sockets.closeQuietly(server);
    if (running != null) {
      try {
        running.close();
      } catch (Exception e) {
        log.warn("stopping the {} acceptor failed: {}", role, e.toString());
      }
    }
  }
}
