package io.followermaze.cli;

import ch.qos.logback.classic.LoggerContext;
import io.followermaze.deadletter.LoggingDeadLetterSink;
import io.followermaze.delivery.SlowClientPolicy;
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

  @Option(names = "--bind", defaultValue = "${env:FM_BIND:-0.0.0.0}", description = "Address to listen on (env FM_BIND).")
  String bind;

  @Mixin PortOptions ports = new PortOptions();

  @Option(names = "--max-line-length", defaultValue = "${env:FM_MAX_LINE_LENGTH:-1024}",
      description = "Longest event line in bytes; longer ones become LINE_TOO_LONG dead letters (env FM_MAX_LINE_LENGTH).")
  int maxLineLength;

  @Option(names = "--client-buffer", defaultValue = "${env:FM_CLIENT_BUFFER:-32768}",
      description = "Notifications that may wait for one client before --slow-client-policy applies (env FM_CLIENT_BUFFER).")
  int clientBuffer;

  @Option(names = "--write-buffer", defaultValue = "${env:FM_WRITE_BUFFER:-8192}",
      description = "Bytes written to a client per system call at most (env FM_WRITE_BUFFER).")
  int writeBuffer;

  @Option(names = "--slow-client-policy", defaultValue = "${env:FM_SLOW_CLIENT_POLICY:-disconnect}",
      description = "When a client's buffer is full: disconnect (close it) or dead-letter (keep it); dead letters either way (env FM_SLOW_CLIENT_POLICY).")
  SlowClientPolicy slowClientPolicy;

  @Option(names = "--gap-distance", defaultValue = "${env:FM_GAP_DISTANCE:-50000}",
      description = "Skip a missing sequence number once the stream is this far past it; grows to twice the largest reorder seen (env FM_GAP_DISTANCE).")
  long gapDistance;

  @Option(names = "--reorder-window", defaultValue = "${env:FM_REORDER_WINDOW:-1048576}",
      description = "Most sequence numbers held out of order, a power of two (env FM_REORDER_WINDOW).")
  int reorderWindow;

  @Option(names = "--gap-timeout", defaultValue = "${env:FM_GAP_TIMEOUT:-30s}",
      description = "Skip open gaps once the source has been silent this long (env FM_GAP_TIMEOUT).")
  Duration gapTimeout;

  @Option(names = "--handshake-timeout", defaultValue = "${env:FM_HANDSHAKE_TIMEOUT:-10s}",
      description = "Time a new client has to send its user id (env FM_HANDSHAKE_TIMEOUT).")
  Duration handshakeTimeout;

  @Option(names = "--max-clients", defaultValue = "${env:FM_MAX_CLIENTS:-10000}",
      description = "Client connections open at once; more are refused (env FM_MAX_CLIENTS).")
  int maxClients;

  @Option(names = "--shutdown-timeout", defaultValue = "${env:FM_SHUTDOWN_TIMEOUT:-10s}",
      description = "How long shutdown waits for clients to receive what is queued (env FM_SHUTDOWN_TIMEOUT).")
  Duration shutdownTimeout;

  @Option(names = "--status-interval", defaultValue = "${env:FM_STATUS_INTERVAL:-10s}",
      description = "How often to log a status line while busy; 0s for never (env FM_STATUS_INTERVAL).")
  Duration statusInterval;

  @Option(names = "--dead-letter-log-limit", defaultValue = "${env:FM_DEAD_LETTER_LOG_LIMIT:-20}",
      description = "Dead letters of each reason logged in full; the rest are counted (env FM_DEAD_LETTER_LOG_LIMIT).")
  long deadLetterLogLimit;

  ServerConfig config() {
    return new ServerConfig(
        bind, ports.eventPort, ports.clientPort, maxLineLength, clientBuffer, writeBuffer, slowClientPolicy, gapDistance,
        reorderWindow, gapTimeout, handshakeTimeout, maxClients, shutdownTimeout, statusInterval);
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
    LoggingDeadLetterSink deadLetters = new LoggingDeadLetterSink(deadLetterLogLimit);
    Server server = Server.start(config, deadLetters);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> {
      server.close();
      deadLetters.close();
      log.info("bye");
      ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
      stopped.countDown();
      // A signal would make the JVM exit with 128+signal; a graceful stop is a success.
      Runtime.getRuntime().halt(0);
    }));
    stopped.await();
    return 0;
  }
}
