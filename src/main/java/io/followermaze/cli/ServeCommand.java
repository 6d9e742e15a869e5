package io.followermaze.cli;

import ch.qos.logback.classic.LoggerContext;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.kafka.KafkaRedriver;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
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

  @Mixin ClientOptions clients = new ClientOptions();

  @Mixin DlqOptions dlq = new DlqOptions();

  @Mixin AdminOptions admin = new AdminOptions();

  private DeadLetterCollector collector;

  ServerConfig config() {
    return new ServerConfig(
        bind,
        ports.eventPort,
        ports.clientPort,
        maxLineLength,
        clients.writeBuffer,
        clients.clientLinger,
        clients.limits(),
        gapDistance,
        reorderWindow,
        gapTimeout,
        clients.handshakeTimeout,
        clients.maxClients,
        shutdownTimeout,
        statusInterval);
  }

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config;
    try {
      config = config().validate();
      if (clients.writerThreads < 0) {
        throw new IllegalArgumentException(
            "--writer-threads must be 0 (one per core but the engine's) or more, was "
                + clients.writerThreads);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("followermaze serve: " + e.getMessage());
      return 2;
    }
    log.info(
        "client writers run on {} carrier threads", WriterThreads.apply(clients.writerThreads));
    // Everything opened below goes on one stack: a failed start and a stop close it the same way.
    ClosingStack opened = new ClosingStack();
    LoggingDeadLetterSink deadLetters;
    try {
      deadLetters =
          opened.push(
              "the dead-letter sink",
              new LoggingDeadLetterSink(dlq.deadLetterLogLimit, collector = dlq.openCollector()));
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
      Server.Redrive redrive = dlq.openRedrive();
      if (redrive != null) {
        opened.push("the redrive reader", redrive.parked());
      }
      server = opened.push("the server", Server.start(config, deadLetters, redrive));
      if (admin.enabled()) {
        opened.push("the admin API", admin.start(server, deadLetters, collector, dlq, redrive));
      }
      if (dlq.kafka()) {
        server
            .roles()
            .start(
                new KafkaRedriver(dlq.kafkaBootstrap, dlq.dlqTopic, server::redeliver),
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
    StopWatchdog.watch(
        stopBudget().minusMillis(500),
        () -> collector == null ? 0 : collector.unstored() + collector.queued());
    opened.close();
    long unstored = collector == null ? 0 : collector.unstored();
    if (unstored > 0) {
      log.error(
          "stopped with {} dead letters that could not be stored in {}", unstored, dlq.where());
    }
    log.info("bye");
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    stopped.countDown();
    // A signal would make the JVM exit with 128+signal; a graceful stop is a success, unless
    // letters were lost or a role died.
    Runtime.getRuntime()
        .halt(
            ClusterOptions.aRoleDied()
                ? ClusterOptions.ROLE_DIED
                : unstored > 0 ? StopWatchdog.LETTERS_LOST : 0);
  }

  /** What a stop may take in all: --shutdown-timeout plus the collector's close budget. */
  private Duration stopBudget() {
    return shutdownTimeout.plus(DeadLetterCollector.CLOSE_BUDGET);
  }

  private void beginStop() {
    stopDeadline = System.nanoTime() + stopBudget().minusSeconds(2).toNanos();
    if (collector != null) {
      // Behind a failing store, nothing may wait for room past it (the engine included).
      collector.giveUpAt(stopDeadline);
    }
  }
}
