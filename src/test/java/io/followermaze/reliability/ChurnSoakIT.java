package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.testing.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Big churn (opt-in, with the soak: {@code mvn verify -Psoak}, {@code bin/soak}): the default
 * 10M-event bench against the real server process with the durable DLQ, plus {@code
 * -Dsoak.churners} (200) churning clients and two stuck and two slow ones. The reliable clients
 * must PASS, and every notification an unreliable client missed must be in the store.
 */
class ChurnSoakIT {

  @TempDir Path dataDir;

  @Test
  void tenMillionEventsWithHundredsOfReconnectsPerSecondLoseNothing() throws Exception {
    int churners = Integer.getInteger("soak.churners", 200);
    try (ServerProcess server = new ServerProcess(dataDir)) {
      BenchOptions options =
          new BenchOptions(
              "127.0.0.1",
              server.eventPort,
              server.clientPort,
              10_000_000,
              100,
              1_000,
              100,
              42,
              Duration.ofMinutes(10),
              Duration.ofSeconds(5),
              new BenchOptions.Unreliable(churners, 2, 2),
              BenchOptions.Pace.UNPACED);
      BenchResult result = Bench.run(options, System.out);
      System.out.println("churn soak: " + result.summary());
      assertThat(result.failure()).isNull();
      assertThat(result.unreliable().connections()).isGreaterThan(churners);

      long expected = result.expectedOffline() + result.unreliable().missingCount();
      try (SqliteDeadLetterStore store = SqliteDeadLetterStore.open(dataDir)) {
        await()
            .atMost(Duration.ofMinutes(2))
            .until(() -> store.count(DeadLetterFilter.ALL) >= expected);
      }
      try (SqliteDeadLetterStore store = SqliteDeadLetterStore.open(dataDir)) {
        for (Map.Entry<Integer, long[]> missed : result.unreliable().missing().entrySet()) {
          Set<Long> dead = new HashSet<>();
          DeadLetterFilter user =
              new DeadLetterFilter(Set.of(), missed.getKey(), null, null, null, null);
          long after = 0;
          for (List<StoredDeadLetter> page; !(page = store.list(user, after, 10_000)).isEmpty(); ) {
            page.forEach(stored -> dead.add(stored.letter().sequence()));
            after = page.getLast().id();
          }
          for (long sequence : missed.getValue()) {
            assertThat(dead)
                .as(
                    "user %d, sequence %d: missed, so it must be a dead letter",
                    missed.getKey(), sequence)
                .contains(sequence);
          }
        }
      }
      assertThat(server.errors()).isEmpty();
      assertThat(server.stop()).isZero();
    }
  }
}
