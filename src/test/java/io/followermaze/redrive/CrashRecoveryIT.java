package io.followermaze.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server process, killed with SIGKILL while dead letters pour in: every letter committed
 * before the kill is there afterwards, the store is intact, and the server starts again on it.
 */
class CrashRecoveryIT {

  @TempDir Path dataDir;

  /** Committed letters: the store's counters, kept in the transaction that commits them. */
  private static long committed(SqliteDeadLetterStore reader) {
    return reader.count(DeadLetterFilter.ALL);
  }

  /** Letters indexed: pointers not purged. */
  private long indexed() throws Exception {
    try (var connection =
            DriverManager.getConnection(
                "jdbc:sqlite:" + dataDir.resolve(SqliteDeadLetterStore.FILE_NAME));
        var sum =
            connection
                .createStatement()
                .executeQuery("select coalesce(sum(live), 0) from dlq_pointer")) {
      sum.next();
      return sum.getLong(1);
    }
  }

  @Test
  void everyCommittedDeadLetterSurvivesAKillMinusNineAndTheServerRestartsOnTheStore()
      throws Exception {
    ServerProcess first = new ServerProcess(dataDir);
    BenchOptions options =
        new BenchOptions(
            "127.0.0.1",
            first.eventPort,
            first.clientPort,
            5_000_000,
            10,
            1_000,
            100,
            3,
            Duration.ofMinutes(2),
            Duration.ZERO);
    Thread load =
        Thread.ofPlatform()
            .start(() -> Bench.run(options, new PrintStream(new ByteArrayOutputStream())));

    long committedBeforeKill;
    try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dataDir)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> committed(reader) >= 200_000);
      committedBeforeKill = committed(reader);
    }
    first.process.destroyForcibly();
    assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(first.process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    load.join(TimeUnit.MINUTES.toMillis(2));

    try (var connection =
            DriverManager.getConnection(
                "jdbc:sqlite:" + dataDir.resolve(SqliteDeadLetterStore.FILE_NAME));
        var check = connection.createStatement().executeQuery("PRAGMA integrity_check")) {
      assertThat(check.next()).isTrue();
      assertThat(check.getString(1)).isEqualTo("ok");
    }
    long afterCrash;
    try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dataDir)) {
      afterCrash = committed(reader);
      assertThat(afterCrash)
          .as("nothing committed before the kill is lost")
          .isGreaterThanOrEqualTo(committedBeforeKill);
      System.out.printf(
          "crash test: %d dead letters seen committed before kill -9, %d in the store after%n",
          committedBeforeKill, afterCrash);
    }

    ServerProcess second = new ServerProcess(dataDir);
    try (EventSource source = new EventSource(second.eventPort)) {
      source.send("1|P|1|424242");
    }
    try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dataDir)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  reader.awaitingIndex() == 0
                      && reader.count(DeadLetterFilter.ALL.forRecipient(424242)) == 1);
      assertThat(reader.count(DeadLetterFilter.ALL)).isEqualTo(afterCrash + 1);
      assertThat(indexed())
          .as("the restarted server indexed every block exactly once")
          .isEqualTo(afterCrash + 1);
      assertThat(reader.list(DeadLetterFilter.ALL, 0, 5))
          .extracting(s -> s.id())
          .hasSize(5)
          .isSorted()
          .doesNotHaveDuplicates();
    }
    second.process.destroy();
    assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(second.process.exitValue()).as("graceful stop on SIGTERM: %s", second.log).isZero();
    assertThat(Files.size(dataDir.resolve(SqliteDeadLetterStore.FILE_NAME))).isPositive();
  }
}
