package io.followermaze.server;

import io.followermaze.delivery.ClientSession;
import io.followermaze.delivery.Connection;
import io.followermaze.delivery.SessionWriter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineCommand.ClientConnected;
import io.followermaze.engine.EngineCommand.ClientEnded;
import io.followermaze.lifecycle.Roles;
import io.followermaze.protocol.ClientId;
import io.followermaze.redrive.RedriveConnection;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts user clients. Each connection gets a virtual thread that reads the id line (bounded in
 * length and time; a bad id gets one {@code ERROR} line and is closed), starts the session's
 * writer, registers the session with the engine, and then waits for the client to hang up. Sockets
 * beyond {@code maxClients} are refused.
 */
final class ClientListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClientListener.class);

  /** The most parked notifications queued on connect; the rest wait for a redrive. */
  static final int ON_CONNECT_LETTERS = 32_768;

  private final Acceptor acceptor;
  private final Engine engine;
  private final ServerConfig config;
  private final RedriveConnection parked;
  private final ClientPresence presence;
  private final AtomicInteger open = new AtomicInteger();
  private final Set<SocketChannel> channels = ConcurrentHashMap.newKeySet();

  /**
   * With {@code parked}, a connecting user first gets what is parked for them; {@code presence}
   * hears of each session's start and end.
   */
  ClientListener(
      ServerConfig config,
      Engine engine,
      Optional<RedriveConnection> parked,
      Optional<ClientPresence> presence)
      throws IOException {
    FileDescriptorHeadroom.check(config.maxClients(), FileDescriptorHeadroom.limit());
    this.engine = engine;
    this.presence = presence.orElse(null);
    this.config = config;
    this.parked = parked.orElse(null);
    this.acceptor =
        new Acceptor("client", config.bindAddress(), config.clientPort(), 1024, this::accept);
  }

  void start(Roles roles) {
    IoPollers.start();
    acceptor.start(roles);
  }

  int port() {
    return acceptor.port();
  }

  private void accept(SocketChannel channel) {
    if (open.incrementAndGet() > config.maxClients()) {
      open.decrementAndGet();
      log.warn(
          "refused client {}: {} connections open, the limit",
          Sockets.peer(channel),
          config.maxClients());
      Sockets.refuse(channel, "too many connections");
      return;
    }
    channels.add(channel);
    Thread.ofVirtual().name("client").start(() -> serve(channel));
  }

  private void serve(SocketChannel channel) {
    String peer = Sockets.peer(channel);
    try {
      channel.socket().setTcpNoDelay(true);
      InputStream in = channel.socket().getInputStream();
      ClientId id = readId(in, channel, System.nanoTime() + config.handshakeTimeout().toNanos());
      if (!id.valid()) {
        log.info("refused client {}: {}", peer, id.error());
        Sockets.refuseLingering(channel, id.error());
        return;
      }
      channel.socket().setSoTimeout(0);
      if (config.clientLimits().socketBufferBytes() > 0) {
        channel.socket().setSendBufferSize(config.clientLimits().socketBufferBytes());
      }
      ClientSession session =
          new ClientSession(
              id.userId(),
              Connection.of(channel),
              "client " + id.userId() + " " + peer,
              config.writeBufferBytes());
      new SessionWriter(session, config.writeBufferBytes(), engine, this::ended).start();
      connect(session);
      if (presence != null) {
        presence.connected(id.userId(), session);
      }
      awaitHangUp(in);
      if (presence != null) {
        presence.disconnected(id.userId(), session);
      }
      session.close(Reason.CONNECTION_LOST, "client closed the connection");
    } catch (SocketTimeoutException e) {
      log.info("refused client {}: no user id within {}", peer, config.handshakeTimeout());
      Sockets.refuseLingering(
          channel, "no user id received within " + config.handshakeTimeout().toSeconds() + "s");
    } catch (IOException e) {
      log.debug("client {} failed during handshake: {}", peer, e.getMessage());
    } finally {
      Sockets.closeQuietly(channel);
      release(channel);
    }
  }

  /**
   * Registers the session. With redrive on connect, the user's parked notifications go with the
   * registration, so the engine queues them before anything live; once queued they are marked
   * redriven. Letters parked while this happens stay parked for a later redrive.
   */
  private void connect(ClientSession session) {
    if (parked == null) {
      engine.submit(new ClientConnected(session));
      return;
    }
    List<ParkedLetter> letters;
    try {
      letters =
          parked.find(
              DeadLetterFilter.ALL.forRecipient(session.userId()),
              ParkedCursor.START,
              ON_CONNECT_LETTERS);
    } catch (RuntimeException e) {
      log.warn(
          "could not look up what is parked for {}, which connects without it (a redrive delivers it later): {}",
          session.origin(),
          e.toString());
      engine.submit(new ClientConnected(session));
      return;
    }
    CompletableFuture<List<Long>> queued = new CompletableFuture<>();
    List<Long> ids = List.of();
    try {
      engine.submit(new ClientConnected(session, letters, queued));
      if (!letters.isEmpty()) {
        ids = queued.join();
      }
    } catch (CompletionException e) {
      log.debug("{} connected as the engine stopped: {}", session.origin(), e.getMessage());
    } finally {
      settle(session, letters, ids);
    }
  }

  /** Marks what was queued on connect redriven; a mark that fails is logged (and retried). */
  private void settle(ClientSession session, List<ParkedLetter> letters, List<Long> ids) {
    try {
      parked.settle(letters, ids);
      if (!ids.isEmpty()) {
        log.info("redrove {} parked notifications to {} on connect", ids.size(), session.origin());
      }
    } catch (RuntimeException e) {
      log.warn(
          "redrove {} parked notifications to {} on connect but could not mark them redriven (tried again with the next redrive; this server does not redrive them again, a restart before that may): {}",
          ids.size(),
          session.origin(),
          e.toString());
    }
  }

  private void ended(ClientSession session) {
    engine.submit(new ClientEnded(session));
  }

  private void release(SocketChannel channel) {
    if (channels.remove(channel)) {
      open.decrementAndGet();
    }
  }

  /**
   * Reads the id line by {@code deadline} (System.nanoTime): the handshake timeout counts in total,
   * not per read, so a client trickling one byte at a time cannot hold a slot for long.
   */
  private static ClientId readId(InputStream in, SocketChannel channel, long deadline)
      throws IOException {
    byte[] line = new byte[ClientId.MAX_LINE_LENGTH];
    int length = 0;
    while (length < line.length) {
      long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new SocketTimeoutException("handshake deadline passed");
      }
      channel.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      int read = in.read(line, length, line.length - length);
      if (read < 0) {
        return new ClientId(-1, "connection closed before a user id was sent");
      }
      for (int i = length; i < length + read; i++) {
        if (line[i] == '\n') {
          return ClientId.parse(line, i + 1);
        }
      }
      length += read;
    }
    return new ClientId(
        -1, "user id line longer than " + (ClientId.MAX_LINE_LENGTH - 2) + " digits");
  }

  private static void awaitHangUp(InputStream in) {
    byte[] discard = new byte[256];
    try {
      while (in.read(discard) >= 0) {
        // Clients have nothing more to say; whatever they send is ignored.
      }
    } catch (IOException e) {
      // Reset or closed by us: either way the client is gone.
    }
  }

  /** Stops accepting new clients. */
  @Override
  public void close() {
    acceptor.close();
  }

  /** Closes every connection still open (after shutdown has given them time to drain). */
  void closeAll() {
    channels.forEach(Sockets::closeQuietly);
  }

  /** How many client connections are open, handshakes included. */
  int openConnections() {
    return open.get();
  }
}
