package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.server.ServerConfig;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
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

  private static BenchResult bench(
      RunningServer server,
      long events,
      int users,
      BenchOptions.Unreliable unreliable,
      long eventsPerSecond) {
    BenchOptions options =
        new BenchOptions(
            "127.0.0.1",
            server.server().eventPort(),
            server.server().clientPort(),
            events,
            CLIENTS,
            users,
            100,
            11,
            Duration.ofMinutes(3),
            Duration.ZERO,
            unreliable,
            new BenchOptions.Pace(eventsPerSecond, null));
    return Bench.run(options, new PrintStream(new ByteArrayOutputStream()));
  }

  /**
   * Every missed notification is dead-lettered; a line both received and dead-lettered only as
   * CONNECTION_LOST.
   */
  private static void assertNothingLost(
      RunningServer server, BenchResult result, int firstUnreliable, int lastUnreliable) {
    Map<Integer, Set<Long>> missing = new HashMap<>();
    result
        .unreliable()
        .missing()
        .forEach(
            (user, sequences) -> {
              Set<Long> set = new HashSet<>();
              for (long sequence : sequences) {
                set.add(sequence);
              }
              missing.put(user, set);
            });
    long missingCount = result.unreliable().missingCount();
    await()
        .atMost(RunningServer.PATIENCE)
        .until(
            () ->
                unreliableLetters(server, firstUnreliable, lastUnreliable).size() >= missingCount);
    List<DeadLetter> letters = unreliableLetters(server, firstUnreliable, lastUnreliable);
    Map<Integer, Set<Long>> dead = new HashMap<>();
    for (DeadLetter letter : letters) {
      dead.computeIfAbsent(letter.recipient(), u -> new HashSet<>()).add(letter.sequence());
      boolean missed =
          missing.getOrDefault(letter.recipient(), Set.of()).contains(letter.sequence());
      if (!missed) {
        assertThat(letter.reason())
            .as("a received line dead-lettered as %s: %s", letter.reason(), letter)
            .isIn(Reason.CONNECTION_LOST, Reason.CLIENT_TOO_SLOW);
      }
    }
    missing.forEach(
        (user, sequences) ->
            assertThat(dead.getOrDefault(user, Set.of()))
                .as("dead letters of unreliable user %d", user)
                .containsAll(sequences));
  }

  private static List<DeadLetter> unreliableLetters(RunningServer server, int first, int last) {
    return server.deadLetters().stream()
        .filter(letter -> letter.recipient() >= first && letter.recipient() <= last)
        .toList();
  }

  /**
   * Paced at 500k events/s so the run lasts at least two seconds: each churner reconnects many
   * times.
   */
  @Test
  void churningClientsMissNothingUndeadLetteredWhileReliableClientsGetExactlyTheirLines() {
    try (RunningServer server = RunningServer.start()) {
      BenchResult result =
          bench(server, 1_000_000, 500, new BenchOptions.Unreliable(40, 0, 0), 500_000);

      assertThat(result.failure()).isNull();
      assertThat(result.unreliable().connections()).as("churn connections").isGreaterThan(200);
      assertThat(result.unreliable().received()).isPositive();
      assertThat(result.unreliable().missingCount()).isPositive();
      assertNothingLost(server, result, CLIENTS + 1, CLIENTS + 40);
      assertThat(server.server().stats().processingErrors()).isZero();
    }
  }

  @Test
  void stuckAndSlowClientsLoseNothingAndEveryoneElseIsServedWithDefaultBounds() {
    try (RunningServer server = RunningServer.start()) {
      BenchResult result =
          bench(server, 600_000, CLIENTS + 10, new BenchOptions.Unreliable(0, 2, 2), 0);

      assertThat(result.failure()).isNull();
      assertNothingLost(server, result, CLIENTS + 1, CLIENTS + 4);
    }
  }

  /**
   * A client that stops reading, flooded with private messages while a reliable one is served: the
   * server evicts it at its outbox bound (policy DISCONNECT) and every message it did not read is a
   * dead letter; the reliable client gets all of its own.
   */
  @Test
  void aStuckClientIsEvictedAtItsBoundAndEveryMessageItDidNotReadIsADeadLetter() throws Exception {
    ServerConfig config =
        TestServerConfig.loopback()
            .withClientBounds(1_024, SlowClientPolicy.DISCONNECT, 1_000, Duration.ofSeconds(5));
    int messages = 200_000;
    try (RunningServer server = RunningServer.start(config);
        UserClient reliable = server.client(1);
        java.net.Socket stuck = new java.net.Socket()) {
      stuck.setReceiveBufferSize(4096);
      stuck.connect(new java.net.InetSocketAddress("127.0.0.1", server.server().clientPort()));
      stuck.getOutputStream().write("2\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      await()
          .atMost(RunningServer.PATIENCE)
          .until(() -> server.server().stats().clientsRegistered() == 2);
      try (var source = server.source()) {
        String[] lines = new String[messages + 1];
        for (int i = 1; i <= messages; i++) {
          lines[i - 1] = i + "|P|1|2";
        }
        lines[messages] = (messages + 1) + "|P|2|1";
        source.send(lines);
      }
      reliable.awaitLines(1);
      await()
          .atMost(RunningServer.PATIENCE)
          .until(() -> !server.deadLetters(Reason.CLIENT_TOO_SLOW).isEmpty());

      long read = 0;
      stuck.setSoTimeout(20_000);
      java.io.InputStream in = stuck.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        for (int i = 0; i < n; i++) {
          read += buffer[i] == '\n' ? 1 : 0;
        }
      }
      long readLines = read;
      await()
          .atMost(RunningServer.PATIENCE)
          .until(() -> unreliableLetters(server, 2, 2).size() + readLines >= messages);
      List<DeadLetter> letters = unreliableLetters(server, 2, 2);
      assertThat(letters)
          .extracting(DeadLetter::reason)
          .contains(Reason.CLIENT_TOO_SLOW)
          .isSubsetOf(Reason.CLIENT_TOO_SLOW, Reason.USER_NOT_CONNECTED, Reason.CONNECTION_LOST);
      assertThat(letters.stream().map(DeadLetter::sequence).distinct().count() + readLines)
          .as("every message to the stuck client was read or dead-lettered")
          .isGreaterThanOrEqualTo(messages);
      assertThat(readLines).as("the stuck client was evicted before the end").isLessThan(messages);
      assertThat(reliable.texts()).containsExactly((messages + 1) + "|P|2|1");
    }
  }
}
