package io.followermaze.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.testing.DurableServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-letter view of the store-once model: paging through the store yields exactly the letters
 * the bench predicts on the dense graph (many offline recipients per event), each once.
 */
class StoredLettersMatchTheBenchIT {

  @TempDir Path dir;

  @Test
  void pagingThroughTheStoreYieldsEveryPredictedOfflineLetterExactlyOnce() {
    try (DurableServer server = new DurableServer(dir, false)) {
      BenchOptions options =
          new BenchOptions(
              "127.0.0.1",
              server.server().eventPort(),
              server.server().clientPort(),
              30_000,
              20,
              200,
              100,
              11,
              Duration.ofMinutes(2),
              Duration.ZERO,
              BenchOptions.Unreliable.NONE,
              BenchOptions.Pace.UNPACED,
              List.of(),
              new BenchOptions.Measure(BenchOptions.Graph.DENSE, -1, null, 0));
      BenchResult result = Bench.run(options, new PrintStream(new ByteArrayOutputStream()));
      assertThat(result.passed()).as(result.summary()).isTrue();
      long expected = result.expectedOffline();
      assertThat(expected).as("dense: many offline letters per event").isGreaterThan(30_000L * 3);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  server.reader().awaitingIndex() == 0
                      && server.reader().count(DeadLetterFilter.ALL) == expected);
      Set<String> seen = new HashSet<>();
      Set<Long> ids = new HashSet<>();
      long cursor = 0;
      for (List<StoredDeadLetter> page = server.reader().list(DeadLetterFilter.ALL, 0, 10_000);
          !page.isEmpty();
          page = server.reader().list(DeadLetterFilter.ALL, cursor, 10_000)) {
        for (StoredDeadLetter stored : page) {
          assertThat(stored.letter().reason()).isEqualTo(Reason.USER_NOT_CONNECTED);
          assertThat(stored.letter().recipient()).as("not a bench client").isGreaterThan(20);
          assertThat(new String(stored.letter().payload()))
              .startsWith(stored.letter().sequence() + "|");
          assertThat(seen.add(stored.letter().recipient() + ":" + stored.letter().sequence()))
              .as("once each")
              .isTrue();
          assertThat(ids.add(stored.id())).isTrue();
        }
        cursor = page.getLast().id();
      }
      assertThat(seen).hasSize((int) expected);
    }
  }
}
