package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.kafka.KafkaDeadLetterStore;
import io.followermaze.lifecycle.Roles;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * What the cluster roles ({@code sequencer}, {@code gateway}) share: the broker, topics and where
 * dead letters go.
 */
final class ClusterOptions {

  @Option(
      names = "--kafka-bootstrap",
      required = true,
      defaultValue = "${env:FM_KAFKA_BOOTSTRAP}",
      description = "Kafka bootstrap servers, HOST:PORT[,...] (env FM_KAFKA_BOOTSTRAP).")
  String bootstrap;

  @Option(
      names = "--events-topic",
      defaultValue = "${env:FM_EVENTS_TOPIC:-maze.events}",
      description = "The one-partition topic that holds the global order (env FM_EVENTS_TOPIC).")
  String eventsTopic;

  @Option(
      names = "--bind",
      defaultValue = "${env:FM_BIND:-0.0.0.0}",
      description = "Address to listen on (env FM_BIND).")
  String bind;

  @Option(
      names = "--dlq",
      defaultValue = "${env:FM_DLQ:-kafka}",
      description = "Where this node's dead letters go: kafka (--dlq-topic) or log (env FM_DLQ).")
  String dlq;

  @Option(
      names = "--dlq-topic",
      defaultValue = "${env:FM_DLQ_TOPIC:-maze.dlq}",
      description = "Dead-letter topic (env FM_DLQ_TOPIC).")
  String dlqTopic;

  @Option(
      names = "--status-interval",
      defaultValue = "${env:FM_STATUS_INTERVAL:-10s}",
      description = "How often to log a status line; 0s for never (env FM_STATUS_INTERVAL).")
  Duration statusInterval;

  /**
   * Runs until the process is told to stop (SIGTERM, Ctrl-C), or one of {@code roles} dies, then
   * closes {@code parts} in the order given (the server first, the sinks last); {@code running} is
   * called once the stop path is in place. Exits 0 after a graceful stop, {@value #ROLE_DIED} after
   * a role died, 1 if closing failed.
   */
  static int runUntilStopped(Roles roles, Runnable running, AutoCloseable... parts)
      throws InterruptedException {
    exitWhenARoleDies(roles);
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("shutdown")
                .unstarted(
                    () -> {
                      boolean clean = true;
                      for (AutoCloseable part : parts) {
                        try {
                          part.close();
                        } catch (Exception e) {
                          clean = false;
                          System.err.println(
                              "followermaze: closing "
                                  + part.getClass().getSimpleName()
                                  + " failed: "
                                  + e);
                        }
                      }
                      stopped.countDown();
                      if (org.slf4j.LoggerFactory.getILoggerFactory()
                          instanceof ch.qos.logback.classic.LoggerContext context) {
                        context.stop();
                      }
                      // A signal would make the JVM exit with 128+signal; a graceful stop is a
                      // success.
                      Runtime.getRuntime().halt(aRoleDied ? ROLE_DIED : clean ? 0 : 1);
                    }));
    running.run();
    stopped.await();
    return 0;
  }

  /** Logs that the node runs and how to stop it. */
  static final Runnable LOG_RUNNING =
      () ->
          org.slf4j.LoggerFactory.getLogger(ClusterOptions.class)
              .info("running (SIGTERM or Ctrl-C stops gracefully)");

  /** The exit status of a process that stopped because one of its roles died (EX_SOFTWARE). */
  static final int ROLE_DIED = 70;

  /**
   * When one of {@code roles} dies, the process stops as on SIGTERM (its shutdown hook runs) and
   * exits with {@value #ROLE_DIED}: it never serves half-alive.
   */
  static void exitWhenARoleDies(Roles roles) {
    roles.onDeath(
        death -> {
          aRoleDied = true;
          Thread.ofPlatform().name("role-died").start(() -> System.exit(ROLE_DIED));
        });
  }

  private static volatile boolean aRoleDied;

  /** Whether a role the process watches has died (its exit status is then {@value #ROLE_DIED}). */
  static boolean aRoleDied() {
    return aRoleDied;
  }

  /**
   * The node's dead-letter sink: logged and counted, and with {@code --dlq kafka} committed to the
   * topic.
   */
  LoggingDeadLetterSink deadLetters() {
    return switch (dlq) {
      case "log" -> new LoggingDeadLetterSink(20);
      case "kafka" -> {
        DeadLetterCollector collector =
            new DeadLetterCollector(
                KafkaDeadLetterStore.open(bootstrap, dlqTopic, 3),
                16L << 20,
                1L << 20,
                Duration.ofMillis(200));
        exitWhenARoleDies(collector.roles());
        yield new LoggingDeadLetterSink(20, collector);
      }
      default ->
          throw new IllegalArgumentException("--dlq must be kafka or log, was '" + dlq + "'");
    };
  }
}
