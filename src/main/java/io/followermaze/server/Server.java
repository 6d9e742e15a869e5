package io.followermaze.server;

import io.followermaze.dlq.DeadLetterSink;
import io.followermaze.dlq.Redelivery;
import io.followermaze.engine.ClusterPart;
import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineCommand;
import io.followermaze.engine.EngineSettings;
import io.followermaze.engine.EngineStats;
import io.followermaze.engine.OrderedLog;
import io.followermaze.lifecycle.Roles;
import io.followermaze.redrive.ParkedLetters;
import io.followermaze.redrive.Redriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
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
 * A running Follower Maze server: engine, both listeners and the status reporter, started from one
 * validated config. {@link #close()} shuts down gracefully in reverse order: stop accepting, end
 * the event source, release what the sequencer holds, let clients drain their outboxes (up to the
 * shutdown timeout), then close what is left. The dead-letter sink belongs to the caller, who
 * closes it after the server.
 *
 * <p>Its length (~300 lines) is three ways to start the same parts — a single node, a sequencer, a
 * gateway — and the one close order they share; split apart, that order would be written three
 * times.
 */
public final class Server implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Server.class);

  private final ServerConfig config;
  private final Engine engine;
  private final EventSourceListener sources;
  private final ClientListener clients;
  private final Roles roles;
  private final AutoCloseable feed;
  private final AutoCloseable status;
  private final AutoCloseable redriver;
  private boolean closed;

  /**
   * How the server redrives parked notifications.
   *
   * @param parked the server's reading connection to the dead-letter store
   * @param onConnect whether a connecting user first gets what is parked for them
   */
  public record Redrive(ParkedLetters parked, boolean onConnect) {}

  private Server(
      ServerConfig config,
      Roles roles,
      Engine engine,
      EventSourceListener sources,
      ClientListener clients,
      AutoCloseable redriver,
      AutoCloseable feed) {
    this.config = config;
    this.roles = roles;
    this.engine = engine;
    this.sources = sources;
    this.clients = clients;
    this.feed = feed;
    this.redriver = redriver;
    this.status = StatusReporter.start(roles, engine, config.statusInterval());
  }

  /** Validates {@code config}, binds both ports and starts serving, without redrive. */
  public static Server start(ServerConfig config, DeadLetterSink deadLetters) {
    return start(config, deadLetters, null);
  }

  /**
   * Validates {@code config}, binds both ports and starts serving; with {@code redrive} (nullable),
   * carries out redrive requests from the store.
   */
  public static Server start(ServerConfig config, DeadLetterSink deadLetters, Redrive redrive) {
    config.validate();
    Engine engine = newEngine(config, ClusterPart.SINGLE_NODE, deadLetters);
    try {
      EventSourceListener sources =
          new EventSourceListener(
              config.bindAddress(), config.eventPort(), engine, config.maxLineLength());
      ClientListener clients;
      try {
        clients =
            new ClientListener(
                config,
                engine,
                redrive != null && redrive.onConnect() ? redrive.parked() : null,
                null);
      } catch (IOException e) {
        Connections.closeQuietly(sources);
        throw e;
      }
      Roles roles = new Roles();
      roles.start(engine, NoOpIdleStrategy.INSTANCE);
      sources.start(roles);
      clients.start(roles);
      Redriver redriver =
          redrive == null
              ? null
              : new Redriver(
                  redrive.parked(), letters -> redeliver(engine, letters), Duration.ofMillis(200));
      AutoCloseable redriving =
          redriver == null ? null : roles.start(redriver, redriver.idleStrategy());
      Server server = new Server(config, roles, engine, sources, clients, redriving, null);
      log.info(
          "listening for the event source on {}:{} and user clients on {}:{}",
          config.bindAddress(),
          sources.port(),
          config.bindAddress(),
          clients.port());
      return server;
    } catch (IOException e) {
      throw cannotListen(config, e);
    }
  }

  /**
   * The sequencer of a cluster: accepts the event source, sequences and dead-letters as a single
   * server does, and hands each event, in sequence order, to {@code ordered} instead of delivering
   * it; numbering resumes after {@code resumeAfter} (the log's last event; 0 for a new log). Has no
   * client port.
   */
  public static Server startSequencer(
      ServerConfig config, DeadLetterSink deadLetters, OrderedLog ordered, long resumeAfter) {
    config.validate();
    Engine engine =
        newEngine(config, new ClusterPart(ordered, user -> false, false, resumeAfter), deadLetters);
    try {
      EventSourceListener sources =
          new EventSourceListener(
              config.bindAddress(), config.eventPort(), engine, config.maxLineLength());
      Roles roles = new Roles();
      roles.start(engine, NoOpIdleStrategy.INSTANCE);
      sources.start(roles);
      log.info(
          "sequencer listening for the event source on {}:{}",
          config.bindAddress(),
          sources.port());
      return new Server(config, roles, engine, sources, null, null, null);
    } catch (IOException e) {
      throw cannotListen(config, e);
    }
  }

  /**
   * A gateway of a cluster: accepts user clients and delivers events that {@code feed} submits (in
   * sequence order, from the cluster's event log); dead-letters a notification for a user without a
   * session only when {@code ownsOffline} says so; tells {@code presence} who connects and leaves.
   * Has no event-source port.
   */
  public static Server startGateway(
      ServerConfig config,
      DeadLetterSink deadLetters,
      IntPredicate ownsOffline,
      ClientPresence presence,
      Function<Consumer<EngineCommand>, Agent> feed) {
    config.validate();
    Engine engine = newEngine(config, new ClusterPart(null, ownsOffline, true, 0), deadLetters);
    try {
      ClientListener clients = new ClientListener(config, engine, null, presence);
      Roles roles = new Roles();
      roles.start(engine, NoOpIdleStrategy.INSTANCE);
      clients.start(roles);
      AutoCloseable running = roles.start(feed.apply(engine::submit), NoOpIdleStrategy.INSTANCE);
      log.info("gateway listening for user clients on {}:{}", config.bindAddress(), clients.port());
      return new Server(config, roles, engine, null, clients, null, running);
    } catch (IOException e) {
      throw cannotListen(config, e);
    }
  }

  private static UncheckedIOException cannotListen(ServerConfig config, IOException e) {
    return new UncheckedIOException(
        "cannot listen on " + config.bindAddress() + ": " + e.getMessage(), e);
  }

  private static Engine newEngine(
      ServerConfig config, ClusterPart role, DeadLetterSink deadLetters) {
    return new Engine(
        new EngineSettings(
            config.gapDistance(),
            config.reorderWindow(),
            config.gapTimeout(),
            config.clientLimits(),
            config.clientLinger(),
            64),
        role,
        deadLetters,
        SystemEpochClock.INSTANCE,
        SystemNanoClock.INSTANCE);
  }

  /** The port the event source connects to (not on a gateway). */
  public int eventPort() {
    if (sources == null) {
      throw new IllegalStateException("a gateway has no event-source port");
    }
    return sources.port();
  }

  /** The port user clients connect to (not on a sequencer). */
  public int clientPort() {
    if (clients == null) {
      throw new IllegalStateException("a sequencer has no client port");
    }
    return clients.port();
  }

  /**
   * Hands parked notifications to the engine, which queues each for its recipient if connected;
   * completes with the ids of those queued.
   */
  public CompletableFuture<List<Long>> redeliver(List<Redelivery> letters) {
    return redeliver(engine, letters);
  }

  private static CompletableFuture<List<Long>> redeliver(Engine engine, List<Redelivery> letters) {
    CompletableFuture<List<Long>> queued = new CompletableFuture<>();
    engine.submit(new EngineCommand.Redeliver(letters, queued));
    return queued;
  }

  /**
   * The server's long-running roles: another role of the process (a gateway's presence reader)
   * joins them here, so that its death, too, makes the server not ready.
   */
  public Roles roles() {
    return roles;
  }

  /** The engine's counters as of its last batch. */
  public EngineStats stats() {
    return engine.stats();
  }

  /** How many client connections are open, handshakes included. */
  public int openClientConnections() {
    return clients == null ? 0 : clients.openConnections();
  }

  private void closeFeed() {
    if (feed != null) {
      closeQuietly(feed, "the event feed");
    }
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
      if (redriver != null) {
        closeQuietly(redriver, "the redriver");
      }
      if (clients != null) {
        clients.close();
      }
      if (sources != null) {
        sources.close();
      }
      closeFeed();
      CompletableFuture<Void> done = engine.shutdown(config.shutdownTimeout());
      try {
        done.get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        log.warn(
            "clients did not drain within {}; closing them, what is left becomes dead letters",
            config.shutdownTimeout());
        if (clients != null) {
          clients.closeAll();
        }
        done.get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.error("engine did not stop cleanly", e);
    } finally {
      if (clients != null) {
        clients.closeAll();
      }
      if (status != null) {
        closeQuietly(status, "the status reporter");
      }
      roles.close();
      log.info("stopped: {}", engine.stats());
    }
  }
}
