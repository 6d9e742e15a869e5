package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.dlq.sqlite.SqliteDlqOperations;
import io.followermaze.kafka.KafkaDeadLetterStore;
import io.followermaze.kafka.KafkaDlqOperations;
import io.followermaze.redrive.RedriveConnection;
import io.followermaze.server.Server;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code serve}'s dead-letter options, and what they open: the durable store behind its collector,
 * the admin API's view of it, and the redrive reader.
 */
final class DlqOptions {

  private static final Logger log = LoggerFactory.getLogger(DlqOptions.class);

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
      names = "--dead-letter-log-limit",
      defaultValue = "${env:FM_DEAD_LETTER_LOG_LIMIT:-20}",
      description =
          "Dead letters of each reason logged in full; the rest are counted (env FM_DEAD_LETTER_LOG_LIMIT).")
  long deadLetterLogLimit;

  /** Whether letters go to a durable store (sqlite or kafka) rather than only to the log. */
  boolean durable() {
    return !dlq.equals("log");
  }

  /** Whether the store is the Kafka topic. */
  boolean kafka() {
    return dlq.equals("kafka");
  }

  /** The SQLite store's file, or null when the letters go elsewhere. */
  Path storeFile() {
    return dlq.equals("sqlite") ? dataDir.resolve(SqliteDeadLetterStore.FILE_NAME) : null;
  }

  /** Where stored letters live, for messages. */
  String where() {
    return kafka()
        ? "Kafka topic " + dlqTopic + " on " + kafkaBootstrap
        : String.valueOf(storeFile());
  }

  /** Checks the options; throws {@link IllegalArgumentException} naming the one that is wrong. */
  void validate() {
    if (!dlq.equals("sqlite") && !dlq.equals("kafka") && !dlq.equals("log")) {
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
    if (kafka() && kafkaBootstrap == null) {
      throw new IllegalArgumentException("--dlq kafka needs --kafka-bootstrap HOST:PORT");
    }
  }

  /**
   * Opens the durable store behind a collector (not yet started), or null with {@code --dlq log}.
   */
  DeadLetterCollector openCollector() {
    validate();
    if (!durable()) {
      return null;
    }
    log.info(
        "dead letters go to {} (batches of up to {} bytes, at least every {})",
        where(),
        dlqBatch,
        dlqFlushInterval);
    return new DeadLetterCollector(
        kafka()
            ? KafkaDeadLetterStore.open(kafkaBootstrap, dlqTopic, 3)
            : SqliteDeadLetterStore.open(
                dataDir,
                dlqSync.equals("full"),
                new SqliteDeadLetterStore.Retention(dlqRetention, dlqMaxLetters)),
        dlqQueue,
        dlqBatch,
        dlqFlushInterval);
  }

  /** The admin API's view of the stored letters: the store, the topic, or none with --dlq log. */
  DlqOperations openOperations() {
    return switch (dlq) {
      case "sqlite" -> new SqliteDlqOperations(SqliteDeadLetterStore.open(dataDir));
      case "kafka" -> new KafkaDlqOperations(kafkaBootstrap, dlqTopic);
      default -> null;
    };
  }

  /** The redrive reader of the SQLite store (Kafka redrives with its own role), or null. */
  Server.Redrive openRedrive() {
    if (!dlq.equals("sqlite")) {
      return null;
    }
    return new Server.Redrive(
        new RedriveConnection(SqliteDeadLetterStore.open(dataDir)), redriveOnConnect);
  }
}
