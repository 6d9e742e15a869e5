package io.followermaze.cli;

import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.dlq.sqlite.SqliteDlqOperations;
import io.followermaze.kafka.KafkaDlqOperations;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code followermaze dlq}: inspect and manage the dead-letter store, also while the server runs.
 */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = {
      "Works with the dead-letter store in --data-dir, also while the server runs.",
      "",
      "The store is SQLite: any SQLite client can query it too (view dead_letters).",
      "With --kafka-bootstrap they work on the dead-letter topic instead (purge excepted: retention does it)."
    },
    subcommands = {
      DlqStatsCommand.class,
      DlqListCommand.class,
      DlqTailCommand.class,
      DlqShowCommand.class,
      DlqPurgeCommand.class,
      DlqRedriveCommand.class
    })
final class DlqCommand {

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FM_DATA_DIR:-./data}",
      description = "Directory of the dead-letter store (env FM_DATA_DIR).")
  Path dataDir;

  @Option(
      names = "--kafka-bootstrap",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FM_KAFKA_BOOTSTRAP}",
      description =
          "Read the dead letters from this Kafka cluster's --dlq-topic instead of --data-dir (env FM_KAFKA_BOOTSTRAP).")
  String kafkaBootstrap;

  @Option(
      names = "--dlq-topic",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:FM_DLQ_TOPIC:-maze.dlq}",
      description = "The dead-letter topic, with --kafka-bootstrap (env FM_DLQ_TOPIC).")
  String dlqTopic;

  /** Whether the commands work on a Kafka topic. */
  boolean onKafka() {
    return kafkaBootstrap != null && !kafkaBootstrap.isBlank();
  }

  /**
   * Opens the dead-letter topic (with --kafka-bootstrap) or the existing store, or fails naming the
   * directory.
   */
  DlqOperations open() {
    if (onKafka()) {
      return new KafkaDlqOperations(kafkaBootstrap, dlqTopic);
    }
    if (!Files.exists(dataDir.resolve(SqliteDeadLetterStore.FILE_NAME))) {
      throw new ParameterException(
          spec.commandLine(),
          "no dead-letter store in "
              + dataDir.toAbsolutePath()
              + " (start the server with --data-dir, or pass it here)");
    }
    return new SqliteDlqOperations(SqliteDeadLetterStore.open(dataDir));
  }
}
