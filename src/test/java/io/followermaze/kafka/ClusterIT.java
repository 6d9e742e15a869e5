package io.followermaze.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.dlq.Reason;
import io.followermaze.testing.Cluster;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.UserClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster mode against a real broker: one sequencer, two gateways, clients split between them. */
class ClusterIT {

  @TempDir Path kafkaDir;

  @Test
  void
      benchClientsSplitAcrossTwoGatewaysEachGetExactlyTheirOrderedLinesAndOfflineUsersAreDeadLetteredOnce()
          throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 2)) {
      BenchOptions options =
          new BenchOptions(
              "127.0.0.1",
              cluster.sequencer.eventPort(),
              0,
              300_000,
              40,
              400,
              100,
              5,
              Duration.ofMinutes(3),
              Duration.ZERO,
              BenchOptions.Unreliable.NONE,
              BenchOptions.Pace.UNPACED,
              cluster.clientPorts());
      BenchResult result = Bench.run(options, new PrintStream(new ByteArrayOutputStream()));

      assertThat(result.failure()).isNull();
      assertThat(result.notifications()).isPositive();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> offlineLetters(cluster) == result.expectedOffline());
      assertThat(cluster.gateways)
          .allSatisfy(
              g ->
                  assertThat(g.deadLetters.withReason(Reason.USER_NOT_CONNECTED))
                      .as("gateway %s dead-letters only the offline users it owns", g.id)
                      .isNotEmpty());
      assertThat(cluster.sequencerDeadLetters.letters()).isEmpty();
    }
  }

  /**
   * Gateway 0 is stopped while events keep coming and started again: its reconnected clients get
   * every later event in order; what came while they were away was dead-lettered, not lost; the
   * restarted gateway rebuilt the follow graph from the log (status updates still reach followers);
   * gateway 1's client never noticed.
   */
  @Test
  void aGatewayKilledMidRunAndRestartedResumesItsClientsInOrderAndLosesNothing() throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 2);
        EventSource source = new EventSource(cluster.sequencer.eventPort())) {
      int port0 = cluster.gateways.get(0).server.clientPort();
      int port1 = cluster.gateways.get(1).server.clientPort();
      UserClient two = UserClient.connect(port0, 2);
      UserClient four = UserClient.connect(port0, 4);
      UserClient three = UserClient.connect(port1, 3);
      // 2, 4 and 3 follow 9; warm up until all three are registered.
      source.send("1|F|2|9", "2|F|4|9", "3|F|3|9");
      long next = 4;
      for (;
          three.lines().size() < 1 || two.lines().size() < 1 || four.lines().size() < 1;
          next++) {
        source.send(next + "|S|9");
        final long sent = next;
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> three.lines().stream().anyMatch(l -> l.startsWith(sent + "|")));
      }
      long beforeKill = next + 200;
      for (; next < beforeKill; next++) {
        source.send(next + "|S|9");
      }
      long lastBeforeKill = next - 1;
      two.awaitLastLine(lastBeforeKill + "|S|9");
      four.awaitLastLine(lastBeforeKill + "|S|9");

      cluster.gateways.get(0).close();
      two.awaitClosedByServer();
      four.awaitClosedByServer();
      long downStart = next;
      for (; next < downStart + 200; next++) {
        source.send(next + "|S|9"); // while gateway 0 is down
      }
      long downEnd = next - 1;
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> three.lines().stream().anyMatch(l -> l.startsWith(downEnd + "|")));

      cluster.restart(0);
      UserClient twoAgain = UserClient.connect(port0, 2);
      UserClient fourAgain = UserClient.connect(port0, 4);
      long afterStart = next;
      for (; next < afterStart + 200; next++) {
        source.send(next + "|S|9");
      }
      long last = next - 1;
      for (UserClient client : List.of(twoAgain, fourAgain, three)) {
        client.awaitLastLine(last + "|S|9");
      }

      assertThat(sequences(three))
          .as("gateway 1's client: every update, in order")
          .containsExactlyElementsOf(
              LongStream.rangeClosed(sequences(three).get(0), last).boxed().toList());
      for (UserClient again : List.of(twoAgain, fourAgain)) {
        List<Long> got = sequences(again);
        assertThat(got).as("after the restart: strictly rising").isSorted().doesNotHaveDuplicates();
        assertThat(got)
            .as("every update after the clients came back")
            .containsAll(LongStream.rangeClosed(afterStart, last).boxed().toList());
      }
      // What user 2 and 4 missed while gateway 0 was down (and before they reconnected) is a dead
      // letter.
      for (int user : new int[] {2, 4}) {
        Set<Long> received = new java.util.HashSet<>(sequences(user == 2 ? twoAgain : fourAgain));
        received.addAll(sequences(user == 2 ? two : four));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  Set<Long> covered = new java.util.HashSet<>(received);
                  cluster.gateways.forEach(
                      g ->
                          g.deadLetters.withReason(Reason.USER_NOT_CONNECTED).stream()
                              .filter(l -> l.recipient() == user)
                              .forEach(l -> covered.add(l.sequence())));
                  return covered.containsAll(
                      LongStream.rangeClosed(downStart, downEnd).boxed().toList());
                });
      }
    }
  }

  /**
   * A gap the sequencer skipped does not stall the gateways (the log is already in order), and a
   * restarted sequencer resumes the numbering after the log's last event.
   */
  @Test
  void skippedNumbersDoNotStallGatewaysAndARestartedSequencerContinuesTheNumbering()
      throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 2)) {
      UserClient one = UserClient.connect(cluster.gateways.get(1).server.clientPort(), 1);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.gateways.get(1).server.stats().connectedClients() == 1);
      try (EventSource source = new EventSource(cluster.sequencer.eventPort())) {
        source.send(
            "1|P|2|1", "2|B", "4|P|3|1", "5|B"); // 3 never comes: skipped when the source leaves
      }
      assertThat(one.awaitLines(4)).containsExactly("1|P|2|1", "2|B", "4|P|3|1", "5|B");
      assertThat(cluster.sequencerDeadLetters.withReason(Reason.SEQUENCE_GAP)).hasSize(1);

      cluster.restartSequencer();
      try (EventSource source = new EventSource(cluster.sequencer.eventPort())) {
        source.send("7|B", "6|P|9|1", "5|B");
      }
      assertThat(one.awaitLines(6))
          .containsExactly("1|P|2|1", "2|B", "4|P|3|1", "5|B", "6|P|9|1", "7|B");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> cluster.sequencerDeadLetters.withReason(Reason.DUPLICATE_SEQUENCE).size() == 1);
      assertThat(cluster.gateways)
          .allSatisfy(g -> assertThat(g.deadLetters.withReason(Reason.SEQUENCE_GAP)).isEmpty());
    }
  }

  private static List<Long> sequences(UserClient client) {
    return client.texts().stream()
        .map(line -> Long.parseLong(line.substring(0, line.indexOf('|'))))
        .toList();
  }

  private static long offlineLetters(Cluster cluster) {
    return cluster.gateways.stream()
        .mapToLong(g -> g.deadLetters.withReason(Reason.USER_NOT_CONNECTED).size())
        .sum();
  }
}
