package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.deadletter.DeadLetter;
import io.followermaze.deadletter.Reason;
import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.server.ServerConfig;
import io.followermaze.testing.RunningServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Clients that come and go, never read, or read a byte a second, during a real bench: the reliable
 * clients still get exactly their lines, and every notification an unreliable client missed is a
 * dead letter — none lost.
 */
class UnreliableClientsIT {

  private static final int CLIENTS = 50;

  private static BenchResult bench(RunningServer server, long events, int users, BenchOptions.Unreliable unreliable) {
    BenchOptions options = new BenchOptions("127.0.0.1", server.server().eventPort(), server.server().clientPort(), events,
        CLIENTS, users, 100, 11, Duration.ofMinutes(3), Duration.ZERO, unreliable, BenchOptions.Pace.UNPACED);
    return Bench.run(options, new PrintStream(new ByteArrayOutputStream()));
  }

  /** Every missed notification is dead-lettered; a line both received and dead-lettered only as CONNECTION_LOST. */
  private static void assertNothingLost(RunningServer server, BenchResult result, int firstUnreliable, int lastUnreliable) {
    Map<Integer, Set<Long>> missing = new HashMap<>();
    result.unreliable().missing().forEach((user, sequences) -> {
      Set<Long> set = new HashSet<>();
      for (long sequence : sequences) {
        set.add(sequence);
      }
      missing.put(user, set);
    });
    long missingCount = result.unreliable().missingCount();
    await().atMost(RunningServer.PATIENCE).until(() -> unreliableLetters(server, firstUnreliable, lastUnreliable).size() >= missingCount);
    List<DeadLetter> letters = unreliableLetters(server, firstUnreliable, lastUnreliable);
    Map<Integer, Set<Long>> dead = new HashMap<>();
    for (DeadLetter letter : letters) {
      dead.computeIfAbsent(letter.recipient(), u -> new HashSet<>()).add(letter.sequence());
      boolean missed = missing.getOrDefault(letter.recipient(), Set.of()).contains(letter.sequence());
      if (!missed) {
        assertThat(letter.reason()).as("a received line dead-lettered as %s: %s", letter.reason(), letter)
            .isIn(Reason.CONNECTION_LOST, Reason.CLIENT_TOO_SLOW);
      }
    }
    missing.forEach((user, sequences) -> assertThat(dead.getOrDefault(user, Set.of()))
        .as("dead letters of unreliable user %d", user).containsAll(sequences));
  }

  private static List<DeadLetter> unreliableLetters(RunningServer server, int first, int last) {
    return server.deadLetters().stream()
        .filter(letter -> letter.recipient() >= first && letter.recipient() <= last)
        .toList();
  }

  @Test
  void churningClientsMissNothingUndeadLetteredWhileReliableClientsGetExactlyTheirLines() {
    try (RunningServer server = RunningServer.start()) {
      BenchResult result = bench(server, 1_000_000, 500, new BenchOptions.Unreliable(40, 0, 0));

      assertThat(result.failure()).isNull();
      assertThat(result.unreliable().connections()).as("churn connections").isGreaterThan(200);
      assertThat(result.unreliable().received()).isPositive();
      assertThat(result.unreliable().missingCount()).isPositive();
      assertNothingLost(server, result, CLIENTS + 1, CLIENTS + 40);
      assertThat(server.server().stats().processingErrors()).isZero();
    }
  }

  @Test
  void stuckAndSlowClientsAreDisconnectedByPolicyWithDeadLettersAndEveryoneElseIsServed() {
    ServerConfig config = ServerConfig.forTests().withClientBounds(1_024, SlowClientPolicy.DISCONNECT, 1_000, Duration.ofSeconds(5));
    try (RunningServer server = RunningServer.start(config)) {
      BenchResult result = bench(server, 1_000_000, CLIENTS + 10, new BenchOptions.Unreliable(0, 2, 2));

      assertThat(result.failure()).isNull();
      assertNothingLost(server, result, CLIENTS + 1, CLIENTS + 4);
      assertThat(server.deadLetters(Reason.CLIENT_TOO_SLOW)).extracting(DeadLetter::recipient)
          .as("the stuck and slow users were evicted by policy").isNotEmpty()
          .allSatisfy(user -> assertThat(user).isBetween(CLIENTS + 1, CLIENTS + 4));
    }
  }
}
