package io.followermaze.server;

import io.followermaze.engine.Engine;
import io.followermaze.lifecycle.Roles;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts the event source: one connection at a time, each read by its own role. A second source
 * while one is connected is refused with an {@code ERROR} line and a log line; after a source
 * disconnects, a new one may connect and the sequence continues.
 */
final class EventSourceListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventSourceListener.class);

  private final Acceptor acceptor;
  private final Engine engine;
  private final int maxLineLength;
  private volatile SocketChannel current;
  private volatile EventSourceReader reader;
  private Roles roles;
  private int connections;

  EventSourceListener(String bind, int port, Engine engine, int maxLineLength) throws IOException {
    this.engine = engine;
    this.maxLineLength = maxLineLength;
    this.acceptor = new Acceptor("source", bind, port, 50, this::accept);
  }

  void start(Roles roles) {
    this.roles = roles;
    acceptor.start(roles);
  }

  int port() {
    return acceptor.port();
  }

  private void accept(SocketChannel channel) {
    String peer = Sockets.peer(channel);
    EventSourceReader active = reader;
    if (active != null && !active.ended()) {
      log.warn(
          "refused a second event source from {}: source {} is still connected",
          peer,
          Sockets.peer(current));
      Sockets.refuse(channel, "another event source is connected");
      return;
    }
    String origin = "source#" + (++connections) + " " + peer;
    log.info("event source {} connected", origin);
    current = channel;
    reader = new EventSourceReader(channel, origin, engine, maxLineLength);
    roles.start(reader, NoOpIdleStrategy.INSTANCE);
  }

  /** Stops accepting, closes the current source and waits until its reader has handed over all. */
  @Override
  public void close() {
    acceptor.close();
    SocketChannel channel = current;
    if (channel != null) {
      Sockets.closeQuietly(channel);
    }
    EventSourceReader active = reader;
    if (active != null && !active.awaitEnd(java.time.Duration.ofSeconds(1))) {
      // It waits to hand a chunk to a stuck engine; the shutdown goes on without it.
      org.slf4j.LoggerFactory.getLogger(EventSourceListener.class)
          .warn(
              "the event-source reader is still waiting for the engine to take what it read; not waiting for it");
    }
  }
}
