package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.kafka.KafkaRedriver;
import io.followermaze.lifecycle.Lifetime;
import io.followermaze.server.Server;
import io.followermaze.server.ServerConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
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

  @Mixin PortsFile portsFile = new PortsFile();

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
    // Everything opened below is closed by the lifetime: a failed start and a stop the same way.
    Lifetime lifetime = new Lifetime(stopBudget());
    LoggingDeadLetterSink deadLetters;
    Map<String, Integer> bound = new LinkedHashMap<>();
    try {
      collector = dlq.openCollector();
      if (collector != null) {
        collector.startIn(lifetime);
      }
      deadLetters =
          lifetime.open(
              "the dead-letter sink", new LoggingDeadLetterSink(dlq.deadLetterLogLimit, collector));
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      System.err.println("followermaze serve: " + e.getMessage());
      return 2;
    }
    try {
      if (collector != null) {
        // Commits what is left within what the stop has left.
        lifetime.open("the dead-letter collector", () -> collector.close(lifetime.leftToStop()));
      }
      Server.Redrive redrive = dlq.openRedrive();
      if (redrive != null) {
        lifetime.open("the redrive reader", redrive.parked());
      }
      Server server =
          lifetime.open(
              "the server",
              redrive == null
                  ? Server.start(config, lifetime.roles(), deadLetters)
                  : Server.start(config, lifetime.roles(), deadLetters, redrive));
      bound.put("event", server.eventPort());
      bound.put("client", server.clientPort());
      if (admin.enabled()) {
        bound.put(
            "admin",
            lifetime
                .open("the admin API", admin.start(server, deadLetters, collector, dlq, redrive))
                .port());
      }
      if (dlq.kafka()) {
        lifetime.open(
            "the Kafka redriver",
            lifetime
                .roles()
                .start(
                    new KafkaRedriver(dlq.kafkaBootstrap, dlq.dlqTopic, server::redeliver),
                    new org.agrona.concurrent.SleepingMillisIdleStrategy(50)));
      }
    } catch (RuntimeException e) {
      return lifetime.failedStart("followermaze serve", e);
    }
    lifetime.runUntilStopped(
        "ready (SIGTERM or Ctrl-C stops gracefully)", () -> portsFile.write(bound));
    return 0;
  }

  /** What a stop may take in all: --shutdown-timeout plus the collector's close budget. */
  private Duration stopBudget() {
    return shutdownTimeout.plus(DeadLetterCollector.CLOSE_BUDGET);
  }
}
