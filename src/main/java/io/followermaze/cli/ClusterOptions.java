package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.kafka.KafkaDeadLetterStore;
import io.followermaze.lifecycle.Lifetime;
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

  /** What a node's stop may take in all: the server's drain plus the collector's close. */
  static final Duration STOP_BUDGET =
      io.followermaze.server.ServerConfig.defaults()
          .shutdownTimeout()
          .plus(DeadLetterCollector.CLOSE_BUDGET);

  /** What a node logs once it runs. */
  static final String RUNNING = "running (SIGTERM or Ctrl-C stops gracefully)";

  /**
   * The node's dead-letter sink: logged and counted, and with {@code --dlq kafka} committed to the
   * topic by a collector that joins {@code lifetime}.
   */
  LoggingDeadLetterSink deadLetters(Lifetime lifetime) {
    return switch (dlq) {
      case "log" -> new LoggingDeadLetterSink(20);
      case "kafka" -> {
        DeadLetterCollector collector =
            new DeadLetterCollector(
                    KafkaDeadLetterStore.open(bootstrap, dlqTopic, 3),
                    16L << 20,
                    1L << 20,
                    Duration.ofMillis(200))
                .startIn(lifetime);
        yield new LoggingDeadLetterSink(20, collector);
      }
      default ->
          throw new IllegalArgumentException("--dlq must be kafka or log, was '" + dlq + "'");
    };
  }
}
