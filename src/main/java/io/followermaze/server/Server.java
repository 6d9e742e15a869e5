package io.followermaze.server;

import io.followermaze.dlq.DeadLetterSink;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineCommand;
import io.followermaze.engine.EngineSettings;
import io.followermaze.engine.EngineStats;
import io.followermaze.engine.NodeMode;
import io.followermaze.engine.OrderedLog;
import io.followermaze.lifecycle.Roles;
import io.followermaze.redrive.RedriveConnection;
import io.followermaze.redrive.Redriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: the engine, its listeners and the status reporter, started from one validated
 * config as a single node ({@link #start}), a cluster's sequencer ({@link #startSequencer}) or one
 * of its gateways ({@link #startGateway}), each on the process's {@link Roles}. {@link #close()}
 * shuts down gracefully in reverse order: stop accepting, end the event source, release what the
 * sequencer holds, let clients drain their outboxes (up to the shutdown timeout), then close what
 * is left. The dead-letter sink belongs to the caller, who closes it after the server.
 */
public final class Server implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Server.class);

  private final ServerConfig config;
  private final Engine engine;
  private final Roles roles;
  private final Optional<EventSourceListener> sources;
  private final Optional<ClientListener> clients;

  /** The roles this server started (the engine first), stopped in reverse order at the end. */
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** The redriver's role, stopped first (a no-op without redrive). */
  private AutoCloseable redriver = () -> {};

  /** The role that feeds a gateway from the cluster's log, stopped after the listeners. */
  private AutoCloseable feed = () -> {};

  private boolean closed;

  /**
   * How the server redrives parked notifications.
   *
   * @param parked the server's reading connection to the dead-letter store
   * @param onConnect whether a connecting user first gets what is parked for them
   */
  public record Redrive(RedriveConnection parked, boolean onConnect) {}

  private Server(
      ServerConfig config,
      Roles roles,
      Engine engine,
      Optional<EventSourceListener> sources,
      Optional<ClientListener> clients) {
    this.config = config;
    this.roles = roles;
    this.engine = engine;
    this.sources = sources;
    this.clients = clients;
  }

  /** Validates {@code config}, binds both ports and serves as a single node, without redrive. */
  public static Server start(ServerConfig config, Roles roles, DeadLetterSink deadLetters) {
    return start(config, roles, deadLetters, Optional.empty());
  }

  /**
   * Validates {@code config}, binds both ports and serves as a single node that carries out redrive
   * requests from the store.
   */
  public static Server start(
      ServerConfig config, Roles roles, DeadLetterSink deadLetters, Redrive redrive) {
    return start(config, roles, deadLetters, Optional.of(redrive));
  }

  private static Server start(
      ServerConfig config, Roles roles, DeadLetterSink deadLetters, Optional<Redrive> redrive) {
    Optional<RedriveConnection> onConnect = redrive.filter(Redrive::onConnect).map(Redrive::parked);
    Server server =
        startNode(
            config,
            roles,
            newEngine(config, new NodeMode.SingleNode(), deadLetters),
            true,
            engine -> Optional.of(new ClientListener(config, engine, onConnect, Optional.empty())));
    redrive.ifPresent(
        parked -> {
          Redriver redriver =
              new Redriver(
                  parked.parked(),
                  letters -> redeliver(server.engine, letters),
                  Duration.ofMillis(200));
          server.redriver = roles.start(redriver, redriver.idleStrategy());
        });
    log.info(
        "listening for the event source on {}:{} and user clients on {}:{}",
        config.bindAddress(),
        server.eventPort(),
        config.bindAddress(),
        server.clientPort());
    return server;
  }

  /**
   * Validates {@code config}, binds the event port and serves as a cluster's sequencer: accepts the
   * event source, sequences and dead-letters as a single node does, and hands each event, in
   * sequence order, to {@code ordered} instead of delivering it; numbering resumes after {@code
   * resumeAfter} (the log's last event; 0 for a new log). Has no client port.
   */
  public static Server startSequencer(
      ServerConfig config,
      Roles roles,
      DeadLetterSink deadLetters,
      OrderedLog ordered,
      long resumeAfter) {
    Server server =
        startNode(
            config,
            roles,
            newEngine(config, new NodeMode.Sequencer(ordered, resumeAfter), deadLetters),
            true,
            engine -> Optional.empty());
    log.info(
        "sequencer listening for the event source on {}:{}",
        config.bindAddress(),
        server.eventPort());
    return server;
  }

  /**
   * Validates {@code config}, binds the client port and serves as a cluster's gateway: accepts user
   * clients and delivers events that {@code feed} submits (in sequence order, from the cluster's
   * event log); dead-letters a notification for a user without a session only when {@code
   * ownsOffline} says so; tells {@code presence} who connects and leaves. Has no event-source port.
   */
  public static Server startGateway(
      ServerConfig config,
      Roles roles,
      DeadLetterSink deadLetters,
      IntPredicate ownsOffline,
      ClientPresence presence,
      Function<Consumer<EngineCommand>, Agent> feed) {
    Server server =
        startNode(
            config,
            roles,
            newEngine(config, new NodeMode.Gateway(ownsOffline), deadLetters),
            false,
            engine ->
                Optional.of(
                    new ClientListener(config, engine, Optional.empty(), Optional.of(presence))));
    server.feed = roles.start(feed.apply(server.engine::submit), NoOpIdleStrategy.INSTANCE);
    log.info(
        "gateway listening for user clients on {}:{}", config.bindAddress(), server.clientPort());
    return server;
  }

  /** A listener for user clients, or none (a sequencer), over the engine. */
  private interface ClientSide {
    Optional<ClientListener> open(Engine engine) throws IOException;
  }

  /**
   * The steps every mode shares: validate, bind the ports the mode has (a failure closes what was
   * bound), start the engine, the listeners and the status reporter.
   */
  private static Server startNode(
      ServerConfig config,
      Roles roles,
      Engine engine,
      boolean acceptsSource,
      ClientSide clientSide) {
    config.validate();
    Optional<EventSourceListener> sources = Optional.empty();
    try {
      if (acceptsSource) {
        sources =
            Optional.of(
                new EventSourceListener(
                    config.bindAddress(), config.eventPort(), engine, config.maxLineLength()));
      }
      Optional<ClientListener> clients = clientSide.open(engine);
      Server server = new Server(config, roles, engine, sources, clients);
      server.started.push(roles.start(engine, NoOpIdleStrategy.INSTANCE));
      sources.ifPresent(listener -> listener.start(roles));
      clients.ifPresent(listener -> listener.start(roles));
      StatusReporter.start(roles, engine, config.statusInterval()).ifPresent(server.started::push);
      return server;
    } catch (IOException e) {
      sources.ifPresent(Sockets::closeQuietly);
      throw new UncheckedIOException(
          "cannot listen on " + config.bindAddress() + ": " + e.getMessage(), e);
    }
  }

  private static Engine newEngine(ServerConfig config, NodeMode mode, DeadLetterSink deadLetters) {
    return new Engine(
        new EngineSettings(
            config.gapDistance(),
            config.reorderWindow(),
            config.gapTimeout(),
            config.clientLimits(),
            config.clientLinger(),
            64),
        mode,
        deadLetters,
        SystemEpochClock.INSTANCE,
        SystemNanoClock.INSTANCE);
  }

  /** The port the event source connects to (not on a gateway). */
  public int eventPort() {
    return sources
        .orElseThrow(() -> new IllegalStateException("a gateway has no event-source port"))
        .port();
  }

  /** The port user clients connect to (not on a sequencer). */
  public int clientPort() {
    return clients
        .orElseThrow(() -> new IllegalStateException("a sequencer has no client port"))
        .port();
  }

  /**
   * Hands parked notifications to the engine, which queues each for its recipient if connected;
   * completes with the ids of those queued.
   */
  public CompletableFuture<List<Long>> redeliver(List<ParkedLetter> letters) {
    return redeliver(engine, letters);
  }

  private static CompletableFuture<List<Long>> redeliver(
      Engine engine, List<ParkedLetter> letters) {
    CompletableFuture<List<Long>> queued = new CompletableFuture<>();
    engine.submit(new EngineCommand.Redeliver(letters, queued));
    return queued;
  }

  /** The process's roles this server runs on (their death makes it not ready). */
  public Roles roles() {
    return roles;
  }

  /** The engine's counters as of its last batch. */
  public EngineStats stats() {
    return engine.stats();
  }

  /** How many client connections are open, handshakes included. */
  public int openClientConnections() {
    return clients.map(ClientListener::openConnections).orElse(0);
  }

  private static void closeQuietly(AutoCloseable part, String what) {
    try {
      part.close();
    } catch (Exception e) {
      log.warn("closing {} failed: {}", what, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info(
        "shutting down: no new connections; delivering what is queued (up to {})",
        config.shutdownTimeout());
    try {
      closeQuietly(redriver, "the redriver");
      clients.ifPresent(ClientListener::close);
      sources.ifPresent(EventSourceListener::close);
      closeQuietly(feed, "the event feed");
      CompletableFuture<Void> done = engine.shutdown(config.shutdownTimeout());
      try {
        done.get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.warn(
            "clients did not drain within {}; closing them, what is left becomes dead letters",
            config.shutdownTimeout());
        clients.ifPresent(ClientListener::closeAll);
        done.get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.error("engine did not stop cleanly", e);
    } finally {
      clients.ifPresent(ClientListener::closeAll);
      started.forEach(role -> closeQuietly(role, "a role of the server"));
      log.info("stopped: {}", engine.stats());
    }
  }
}
