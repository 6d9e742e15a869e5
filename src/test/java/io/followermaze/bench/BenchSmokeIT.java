package io.followermaze.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.dlq.Reason;
import io.followermaze.testing.RunningServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bench, run against a real server in this JVM: a short smoke run must PASS. */
class BenchSmokeIT {

  private static BenchOptions options(
      RunningServer server, long events, int clients, int maxBatch) {
    return new BenchOptions(
        "127.0.0.1",
        server.server().eventPort(),
        server.server().clientPort(),
        events,
        clients,
        clients * 10,
        maxBatch,
        7,
        Duration.ofMinutes(2),
        Duration.ZERO);
  }

  @Test
  void passesAHundredThousandEventsAndTheServerDeadLettersExactlyTheOfflineNotifications() {
    try (RunningServer server = RunningServer.start()) {
      BenchResult result =
          Bench.run(
              options(server, 100_000, 50, 100), new PrintStream(new ByteArrayOutputStream()));
      assertThat(result.failure()).isNull();
      assertThat(result.passed()).isTrue();
      assertThat(result.notifications()).isPositive();
      assertThat(result.summary()).startsWith("PASS events=100000 clients=50");
      org.awaitility.Awaitility.await()
          .until(
              () ->
                  server.deadLetters(Reason.USER_NOT_CONNECTED).size() == result.expectedOffline());
      assertThat(server.deadLetters()).hasSize((int) result.expectedOffline());
    }
  }

  @Test
  void passesWithLargeShuffleBatchesAndWithNoShuffling() {
    for (int maxBatch : new int[] {10_000, 1}) {
      try (RunningServer server = RunningServer.start()) {
        BenchResult result =
            Bench.run(
                options(server, 50_000, 20, maxBatch),
                new PrintStream(new ByteArrayOutputStream()));
        assertThat(result.failure()).as("max batch %d", maxBatch).isNull();
      }
    }
  }

  @Test
  void failsWithAClearReasonWhenTheServerIsWellPastSequenceOne() {
    try (RunningServer server = RunningServer.start()) {
      String[] earlier = new String[400];
      for (int i = 0; i < earlier.length; i++) {
        earlier[i] = (i + 1) + "|B";
      }
      server.source().send(earlier).close();
      server.awaitReceived(earlier.length);
      BenchOptions options =
          new BenchOptions(
              "127.0.0.1",
              server.server().eventPort(),
              server.server().clientPort(),
              1_000,
              2,
              20,
              10,
              7,
              Duration.ofSeconds(60),
              Duration.ZERO);
      BenchResult result = Bench.run(options, new PrintStream(new ByteArrayOutputStream()));
      assertThat(result.passed()).isFalse();
      assertThat(result.summary()).startsWith("FAIL").contains("freshly started server");
    }
  }
}
