package io.followermaze.cli;

import ch.qos.logback.classic.LoggerContext;
import io.followermaze.admin.AdminServer;
import io.followermaze.admin.ServerMetrics;
import io.followermaze.delivery.ClientLimits;
import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.DeadLetterSink;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.dlq.sqlite.SqliteDlqOperations;
import io.followermaze.kafka.KafkaDeadLetterStore;
import io.followermaze.kafka.KafkaDlqOperations;
import io.followermaze.kafka.KafkaRedriver;
import io.followermaze.redrive.ParkedLetters;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code followermaze serve}: runs the server until SIGTERM or Ctrl-C, then stops gracefully. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the server (the default command).",
      "",
      "The event source connects to --event-port, user clients to --client-port. SIGTERM or Ctrl-C",
      "stops it gracefully: no new connections, queued notifications are delivered (up to",
      "--shutdown-timeout), then it exits with status 0. Every option also reads the environment",
      "variable named in its description."
    },
    showDefaultValues = true)
final class ServeCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(
      names = "--bind",
      defaultValue = "${env:FM_BIND:-0.0.0.0}",
      description = "Address to listen on (env FM_BIND).")
  String bind;

  @Mixin PortOptions ports = new PortOptions();

  @Option(
      names = "--max-line-length",
      defaultValue = "${env:FM_MAX_LINE_LENGTH:-1024}",
      description =
          "Longest event line in bytes; longer ones become LINE_TOO_LONG dead letters (env FM_MAX_LINE_LENGTH).")
  int maxLineLength;

  @Option(
      names = "--client-buffer",
      defaultValue = "${env:FM_CLIENT_BUFFER:-1MiB}",
      converter = ByteSizeConverter.class,
      description =
          "Backlog one client may hold before a stall counts against it; a client that keeps reading keeps any backlog (env FM_CLIENT_BUFFER).")
  long clientBuffer;

  @Option(
      names = "--client-stall-timeout",
      defaultValue = "${env:FM_CLIENT_STALL_TIMEOUT:-10s}",
      description =
          "A client past --client-buffer whose socket has taken no write for this long is too slow (env FM_CLIENT_STALL_TIMEOUT).")
  Duration clientStallTimeout;

  @Option(
      names = "--outbox-budget",
      defaultValue = "${env:FM_OUTBOX_BUDGET:-64MiB}",
      converter = ByteSizeConverter.class,
      description =
          "Most all clients' backlogs may hold together; beyond it the client with the largest is too slow (env FM_OUTBOX_BUDGET).")
  long outboxBudget;

  @Option(
      names = "--client-socket-buffer",
      defaultValue = "${env:FM_CLIENT_SOCKET_BUFFER:-0}",
      converter = ByteSizeConverter.class,
      description =
          "Kernel send buffer per client connection (SO_SNDBUF); 0 leaves it to the system's autotuning (env FM_CLIENT_SOCKET_BUFFER).")
  long clientSocketBuffer;

  @Option(
      names = "--write-buffer",
      defaultValue = "${env:FM_WRITE_BUFFER:-8192}",
      description = "Bytes written to a client per system call at most (env FM_WRITE_BUFFER).")
  int writeBuffer;

  @Option(
      names = "--client-linger",
      defaultValue = "${env:FM_CLIENT_LINGER:-0s}",
      description =
          "While input keeps coming, how long a client's new notifications may wait for more before they are written: fewer, larger writes for that much latency; 0s writes after every batch (env FM_CLIENT_LINGER).")
  Duration clientLinger;

  @Option(
      names = "--slow-client-policy",
      defaultValue = "${env:FM_SLOW_CLIENT_POLICY:-disconnect}",
      description =
          "For a client that is too slow: disconnect (close it) or dead-letter (keep it, dead-letter what does not fit); dead letters either way (env FM_SLOW_CLIENT_POLICY).")
  SlowClientPolicy slowClientPolicy;

  @Option(
      names = "--gap-distance",
      defaultValue = "${env:FM_GAP_DISTANCE:-50000}",
      description =
          "Skip a missing sequence number once the stream is this far past it; grows to twice the largest reorder seen (env FM_GAP_DISTANCE).")
  long gapDistance;

  @Option(
      names = "--reorder-window",
      defaultValue = "${env:FM_REORDER_WINDOW:-1048576}",
      description =
          "Most sequence numbers held out of order, a power of two (env FM_REORDER_WINDOW).")
  int reorderWindow;

  @Option(
      names = "--gap-timeout",
      defaultValue = "${env:FM_GAP_TIMEOUT:-30s}",
      description =
          "Skip open gaps once the source has been silent this long (env FM_GAP_TIMEOUT).")
  Duration gapTimeout;

  @Option(
      names = "--handshake-timeout",
      defaultValue = "${env:FM_HANDSHAKE_TIMEOUT:-10s}",
      description = "Time a new client has to send its user id (env FM_HANDSHAKE_TIMEOUT).")
  Duration handshakeTimeout;

  @Option(
      names = "--max-clients",
      defaultValue = "${env:FM_MAX_CLIENTS:-10000}",
      description = "Client connections open at once; more are refused (env FM_MAX_CLIENTS).")
  int maxClients;

  @Option(
      names = "--shutdown-timeout",
      defaultValue = "${env:FM_SHUTDOWN_TIMEOUT:-10s}",
      description =
          "How long shutdown waits for clients to receive what is queued (env FM_SHUTDOWN_TIMEOUT).")
  Duration shutdownTimeout;

  @Option(
      names = "--status-interval",
      defaultValue = "${env:FM_STATUS_INTERVAL:-10s}",
      description =
          "How often to log a status line while busy; 0s for never (env FM_STATUS_INTERVAL).")
  Duration statusInterval;

  @Option(
      names = "--dead-letter-log-limit",
      defaultValue = "${env:FM_DEAD_LETTER_LOG_LIMIT:-20}",
      description =
          "Dead letters of each reason logged in full; the rest are counted (env FM_DEAD_LETTER_LOG_LIMIT).")
  long deadLetterLogLimit;

  @Option(
      names = "--dlq",
      defaultValue = "${env:FM_DLQ:-sqlite}",
      description =
          "Where dead letters go: sqlite (durable store in --data-dir), kafka (a topic, see --kafka-bootstrap) or log (log and count only) (env FM_DLQ).")
  String dlq;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:FM_DATA_DIR:-./data}",
      description = "Directory of the dead-letter store (env FM_DATA_DIR).")
  Path dataDir;

  @Option(
      names = "--kafka-bootstrap",
      defaultValue = "${env:FM_KAFKA_BOOTSTRAP}",
      description =
          "Kafka bootstrap servers (HOST:PORT[,...]) for --dlq kafka (env FM_KAFKA_BOOTSTRAP).")
  String kafkaBootstrap;

  @Option(
      names = "--dlq-topic",
      defaultValue = "${env:FM_DLQ_TOPIC:-maze.dlq}",
      description =
          "Kafka topic for --dlq kafka; created with 3 partitions if missing (env FM_DLQ_TOPIC).")
  String dlqTopic;

  @Option(
      names = "--dlq-batch",
      defaultValue = "${env:FM_DLQ_BATCH:-1MiB}",
      converter = ByteSizeConverter.class,
      description =
          "Encoded dead letters committed per transaction at most, e.g. 1MiB (env FM_DLQ_BATCH).")
  long dlqBatch;

  @Option(
      names = "--dlq-flush-interval",
      defaultValue = "${env:FM_DLQ_FLUSH_INTERVAL:-200ms}",
      description =
          "Longest a dead letter waits before its batch is committed (env FM_DLQ_FLUSH_INTERVAL).")
  Duration dlqFlushInterval;

  @Option(
      names = "--dlq-queue",
      defaultValue = "${env:FM_DLQ_QUEUE:-16MiB}",
      converter = ByteSizeConverter.class,
      description =
          "Encoded dead letters waiting for the store before intake pauses (back-pressure, never drops),"
              + " e.g. 16MiB; a letter to an offline user takes ~2 bytes (env FM_DLQ_QUEUE).")
  long dlqQueue;

  @Option(
      names = "--dlq-sync",
      defaultValue = "${env:FM_DLQ_SYNC:-normal}",
      description =
          "normal: a commit survives a process crash; full: also a power loss, slower (env FM_DLQ_SYNC).")
  String dlqSync;

  @Option(
      names = "--dlq-retention",
      defaultValue = "${env:FM_DLQ_RETENTION:-7d}",
      description = "Dead letters older than this are deleted (env FM_DLQ_RETENTION).")
  Duration dlqRetention;

  @Option(
      names = "--dlq-max-letters",
      defaultValue = "${env:FM_DLQ_MAX_LETTERS:-100000000}",
      description =
          "Beyond this many dead letters the oldest are deleted (about 45 bytes each) (env FM_DLQ_MAX_LETTERS).")
  long dlqMaxLetters;

  @Option(
      names = "--redrive-on-connect",
      defaultValue = "${env:FM_REDRIVE_ON_CONNECT:-false}",
      description =
          "When a user connects, first deliver what is parked for them (indexes parked letters by user, which slows dead-letter writes) (env FM_REDRIVE_ON_CONNECT).")
  boolean redriveOnConnect;

  @Option(
      names = "--admin-port",
      defaultValue = "${env:FM_ADMIN_PORT:-8080}",
      description =
          "Port of the admin HTTP API (health, ready, metrics, stats); 0 picks a free one, -1 turns it off (env FM_ADMIN_PORT).")
  int adminPort;

  @Option(
      names = "--admin-allowed-hosts",
      split = ",",
      defaultValue = "${env:FM_ADMIN_ALLOWED_HOSTS:-}",
      description =
          "Host names the admin API answers to besides loopback names and IP addresses, comma-separated"
              + " (requests naming another host are refused: DNS rebinding) (env FM_ADMIN_ALLOWED_HOSTS).")
  java.util.List<String> adminAllowedHosts = java.util.List.of();

  @Option(
      names = "--admin-bind",
      defaultValue = "${env:FM_ADMIN_BIND:-127.0.0.1}",
      description = "Address of the admin API; loopback unless widened (env FM_ADMIN_BIND).")
  String adminBind;

  @Option(
      names = "--admin-token",
      defaultValue = "${env:FM_ADMIN_TOKEN}",
      description =
          "When set, every admin endpoint but /health needs 'Authorization: Bearer <token>' (env FM_ADMIN_TOKEN; prefer the variable, flags show in ps).")
  String adminToken;

  private DeadLetterCollector collector;

  ServerConfig config() {
    return new ServerConfig(
        bind,
        ports.eventPort,
        ports.clientPort,
        maxLineLength,
        writeBuffer,
        clientLinger,
        new ClientLimits(
            clientBuffer,
            clientStallTimeout,
            outboxBudget,
            slowClientPolicy,
            (int) Math.min(Integer.MAX_VALUE, clientSocketBuffer)),
        gapDistance,
        reorderWindow,
        gapTimeout,
        handshakeTimeout,
        maxClients,
        shutdownTimeout,
        statusInterval);
  }

  private DeadLetterSink durableSink() {
    switch (dlq) {
      case "log":
        return null;
      case "sqlite", "kafka":
        break;
      default:
        throw new IllegalArgumentException("--dlq must be sqlite, kafka or log, was '" + dlq + "'");
    }
    if (!dlqSync.equals("normal") && !dlqSync.equals("full")) {
      throw new IllegalArgumentException(
          "--dlq-sync must be normal or full, was '" + dlqSync + "'");
    }
    if (dlqBatch < 1 || dlqQueue < dlqBatch) {
      throw new IllegalArgumentException(
          "--dlq-batch must be at least 1 and at most --dlq-queue (" + dlqQueue + ")");
    }
    if (dlq.equals("kafka")) {
      if (kafkaBootstrap == null) {
        throw new IllegalArgumentException("--dlq kafka needs --kafka-bootstrap HOST:PORT");
      }
      log.info(
          "dead letters go to Kafka topic {} on {} (batches of up to {} bytes, at least every {})",
          dlqTopic,
          kafkaBootstrap,
          dlqBatch,
          dlqFlushInterval);
      collector =
          new DeadLetterCollector(
              KafkaDeadLetterStore.open(kafkaBootstrap, dlqTopic, 3),
              dlqQueue,
              dlqBatch,
              dlqFlushInterval);
      return collector;
    }
    SqliteDeadLetterStore store =
        SqliteDeadLetterStore.open(
            dataDir,
            dlqSync.equals("full"),
            new SqliteDeadLetterStore.Retention(dlqRetention, dlqMaxLetters));
    log.info(
        "dead letters go to {} (batches of up to {} bytes, at least every {})",
        dataDir.resolve(SqliteDeadLetterStore.FILE_NAME),
        dlqBatch,
        dlqFlushInterval);
    collector = new DeadLetterCollector(store, dlqQueue, dlqBatch, dlqFlushInterval);
    return collector;
  }

  /** The admin API's view of the dead letters: the store, the topic, or none with --dlq log. */
  private DlqOperations dlqOperations() {
    return switch (dlq) {
      case "sqlite" -> new SqliteDlqOperations(SqliteDeadLetterStore.open(dataDir));
      case "kafka" -> new KafkaDlqOperations(kafkaBootstrap, dlqTopic);
      default -> null;
    };
  }

  private Server.Redrive redrive() {
    if (!dlq.equals("sqlite")) {
      return null;
    }
    SqliteDeadLetterStore store = SqliteDeadLetterStore.open(dataDir);
    return new Server.Redrive(new ParkedLetters(store), redriveOnConnect);
  }

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config;
    try {
      config = config().validate();
    } catch (IllegalArgumentException e) {
      System.err.println("followermaze serve: " + e.getMessage());
      return 2;
    }
    // Everything opened below goes on one stack: a failed start and a stop close it the same way.
    ClosingStack opened = new ClosingStack();
    LoggingDeadLetterSink deadLetters;
    try {
      deadLetters =
          opened.push(
              "the dead-letter sink", new LoggingDeadLetterSink(deadLetterLogLimit, durableSink()));
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      System.err.println("followermaze serve: " + e.getMessage());
      return 2;
    }
    Server server;
    try {
      if (collector != null) {
        // Commits what is left within what the stop has left (see the shutdown hook).
        opened.push(
            "the dead-letter collector",
            () -> collector.close(Duration.ofNanos(stopDeadline - System.nanoTime())));
      }
      Server.Redrive redrive = redrive();
      if (redrive != null) {
        opened.push("the redrive reader", redrive.parked());
      }
      server = opened.push("the server", Server.start(config, deadLetters, redrive));
      if (adminPort >= 0) {
        opened.push("the admin API", adminServer(server, deadLetters, redrive));
      }
      if (dlq.equals("kafka")) {
        server
            .roles()
            .start(
                new KafkaRedriver(kafkaBootstrap, dlqTopic, server),
                new org.agrona.concurrent.SleepingMillisIdleStrategy(50));
      }
    } catch (RuntimeException e) {
      beginStop();
      opened.close();
      System.err.println("followermaze serve: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform().name("shutdown").unstarted(() -> stop(opened, stopped)));
    ClusterOptions.exitWhenARoleDies(server.roles());
    if (collector != null) {
      ClusterOptions.exitWhenARoleDies(collector.roles());
    }
    log.info("ready (SIGTERM or Ctrl-C stops gracefully)");
    stopped.await();
    return 0;
  }

  /** When the stop must be over, less what is kept for the last steps (set when it begins). */
  private volatile long stopDeadline;

  /**
   * The stop: closes everything in reverse order within --shutdown-timeout + 10 s, even behind a
   * failing store (2 s kept for the rest), then halts with 0, 3 (letters not stored) or 70 (a role
   * died).
   */
  private void stop(ClosingStack opened, CountDownLatch stopped) {
    beginStop();
    opened.close();
    long unstored = collector == null ? 0 : collector.unstored();
    if (unstored > 0) {
      log.error(
          "stopped with {} dead letters that could not be stored in {}",
          unstored,
          dlq.equals("sqlite") ? dataDir.resolve(SqliteDeadLetterStore.FILE_NAME) : dlqTopic);
    }
    log.info("bye");
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    stopped.countDown();
    // A signal would make the JVM exit with 128+signal; a graceful stop is a success, unless
    // letters were lost or a role died.
    Runtime.getRuntime()
        .halt(ClusterOptions.aRoleDied() ? ClusterOptions.ROLE_DIED : unstored > 0 ? 3 : 0);
  }

  private void beginStop() {
    stopDeadline =
        System.nanoTime()
            + shutdownTimeout.plus(DeadLetterCollector.CLOSE_BUDGET).minusSeconds(2).toNanos();
  }

  private AdminServer adminServer(
      Server server, LoggingDeadLetterSink deadLetters, Server.Redrive redrive) {
    DlqOperations operations = dlqOperations();
    return new AdminServer(
        new AdminServer.Options(
            adminBind,
            adminPort,
            adminToken,
            adminAllowedHosts.stream()
                .filter(h -> !h.isBlank())
                .collect(java.util.stream.Collectors.toSet())),
        server,
        deadLetters,
        collector,
        operations,
        new ServerMetrics(
            server,
            deadLetters,
            collector,
            dlq.equals("sqlite") ? dataDir.resolve(SqliteDeadLetterStore.FILE_NAME) : null,
            dlq.equals("sqlite") ? operations : null,
            redrive == null ? null : redrive.parked()::redriven));
  }
}
