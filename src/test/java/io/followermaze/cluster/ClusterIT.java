package io.followermaze.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.deadletter.Reason;
import io.followermaze.testing.Cluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster mode against a real broker: one sequencer, two gateways, clients split between them. */
class ClusterIT {

  @TempDir Path kafkaDir;

  @Test
  void benchClientsSplitAcrossTwoGatewaysEachGetExactlyTheirOrderedLinesAndOfflineUsersAreDeadLetteredOnce() throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 2)) {
      BenchOptions options = new BenchOptions("127.0.0.1", cluster.sequencer.eventPort(), 0, 300_000, 40, 400, 100, 5,
          Duration.ofMinutes(3), Duration.ZERO, BenchOptions.Unreliable.NONE, BenchOptions.Pace.UNPACED, cluster.clientPorts());
      BenchResult result = Bench.run(options, new PrintStream(new ByteArrayOutputStream()));

      assertThat(result.failure()).isNull();
      assertThat(result.notifications()).isPositive();
      await().atMost(Duration.ofSeconds(30)).until(() -> offlineLetters(cluster) == result.expectedOffline());
      assertThat(cluster.gateways).allSatisfy(g -> assertThat(g.deadLetters.withReason(Reason.USER_NOT_CONNECTED))
          .as("gateway %s dead-letters only the offline users it owns", g.id).isNotEmpty());
      assertThat(cluster.sequencerDeadLetters.letters()).isEmpty();
    }
  }

  private static long offlineLetters(Cluster cluster) {
    return cluster.gateways.stream().mapToLong(g -> g.deadLetters.withReason(Reason.USER_NOT_CONNECTED).size()).sum();
  }
}
