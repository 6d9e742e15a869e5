package io.followermaze.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.cli.FollowerMaze;
import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.protocol.EventType;
import io.followermaze.server.ServerConfig;
import io.followermaze.testing.DurableServer;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dead letters through real sockets into the SQLite store, and back out by redrive. */
class DurableDeadLettersIT {

  @TempDir Path dir;

  @Test
  void everyReasonLandsInTheStoreWithItsFieldsWhileValidEventsAreDeliveredInOrder() {
    try (DurableServer server = new DurableServer(dir, false)) {
      UserClient client = server.client(1);
      try (EventSource source = server.source()) {
        source.sendRaw(
            ("\nx|B\n3|Q\n3|F|1\n3|P|a|1\n" + "9".repeat(2000) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        source.sendRaw(new byte[] {'3', '|', 'S', '|', (byte) 0xff, '\n'});
        source.send("2|B", "1|P|5|1", "2|B", "4|P|1|77", "999999999999999999|B", "6|B", "3|B");
        assertThat(client.awaitLines(3))
            .as("6 waits for the missing 5")
            .containsExactly("1|P|5|1", "2|B", "3|B");
        source.sendRaw("7|B\n8|P|1".getBytes(StandardCharsets.US_ASCII));
      }
      assertThat(client.awaitLines(5)).containsExactly("1|P|5|1", "2|B", "3|B", "6|B", "7|B");
      Set<Reason> expected =
          EnumSet.of(
              Reason.EMPTY_LINE,
              Reason.BAD_SEQUENCE,
              Reason.UNKNOWN_TYPE,
              Reason.WRONG_FIELD_COUNT,
              Reason.BAD_USER_ID,
              Reason.LINE_TOO_LONG,
              Reason.INVALID_UTF8,
              Reason.TRUNCATED_LINE,
              Reason.DUPLICATE_SEQUENCE,
              Reason.SEQUENCE_GAP,
              Reason.SEQUENCE_OUT_OF_RANGE,
              Reason.USER_NOT_CONNECTED);
      List<StoredDeadLetter> stored =
          server.awaitStored(DeadLetterFilter.ALL.withReasons(expected), expected.size());
      Map<Reason, DeadLetter> byReason =
          stored.stream()
              .map(StoredDeadLetter::letter)
              .collect(Collectors.toMap(DeadLetter::reason, Function.identity(), (a, b) -> a));
      assertThat(byReason.keySet()).containsAll(expected);

      assertThat(byReason.get(Reason.INVALID_UTF8).payload())
          .containsExactly('3', '|', 'S', '|', 0xff, '\n');
      assertThat(byReason.get(Reason.INVALID_UTF8).sequence()).isEqualTo(3);
      assertThat(byReason.get(Reason.LINE_TOO_LONG).payloadLength()).isEqualTo(2001);
      assertThat(byReason.get(Reason.UNKNOWN_TYPE).payloadText()).isEqualTo("3|Q");
      assertThat(byReason.get(Reason.DUPLICATE_SEQUENCE).payloadText()).isEqualTo("2|B");
      assertThat(byReason.get(Reason.SEQUENCE_GAP).sequence()).isEqualTo(5);
      assertThat(byReason.get(Reason.SEQUENCE_OUT_OF_RANGE).payloadText())
          .isEqualTo("999999999999999999|B");
      assertThat(byReason.get(Reason.SEQUENCE_OUT_OF_RANGE).error())
          .contains("beyond the reorder window");
      assertThat(byReason.get(Reason.SEQUENCE_GAP).error()).contains("source_disconnected");
      assertThat(byReason.get(Reason.TRUNCATED_LINE).sequence()).isEqualTo(8);
      DeadLetter offline = byReason.get(Reason.USER_NOT_CONNECTED);
      assertThat(offline.recipient()).isEqualTo(77);
      assertThat(offline.type()).isEqualTo(EventType.PRIVATE_MESSAGE);
      assertThat(offline.payloadText()).isEqualTo("4|P|1|77");
      assertThat(offline.origin()).startsWith("source#1 127.0.0.1:");
      assertThat(offline.timestampMillis()).isPositive();
      assertThat(offline.attempt()).isEqualTo(1);
    }
  }

  @Test
  void aSlowClientsBacklogIsStoredAndRedrivenInItsOriginalOrderAfterItComesBack() throws Exception {
    ServerConfig config =
        TestServerConfig.loopback()
            .withClientBounds(64, SlowClientPolicy.DISCONNECT, 100, Duration.ofSeconds(10));
    try (DurableServer server = new DurableServer(dir, false, config);
        EventSource source = server.source()) {
      Socket slow = new Socket("127.0.0.1", server.server().clientPort());
      slow.setReceiveBufferSize(4096);
      slow.getOutputStream().write("2\n".getBytes(StandardCharsets.US_ASCII));
      await().until(() -> server.server().stats().clientsRegistered() == 1);
      StringBuilder lines = new StringBuilder();
      for (int s = 1; s <= 30_000; s++) {
        lines.append(s).append("|P|9|2\n");
      }
      source.sendRaw(lines.toString().getBytes(StandardCharsets.US_ASCII));
      List<StoredDeadLetter> tooSlow =
          server.awaitStored(DeadLetterFilter.ALL.withReasons(Set.of(Reason.CLIENT_TOO_SLOW)), 1);
      assertThat(tooSlow)
          .allSatisfy(
              s -> {
                assertThat(s.letter().recipient()).isEqualTo(2);
                assertThat(s.letter().origin()).startsWith("client 2 127.0.0.1:");
                assertThat(s.letter().error()).contains("client stalled");
              });
      slow.close();
      await().until(() -> server.server().stats().connectedClients() == 0);
      source.send("30001|P|9|2");
      server.awaitStored(DeadLetterFilter.ALL.withReasons(Set.of(Reason.USER_NOT_CONNECTED)), 1);
      DeadLetterFilter backlog =
          DeadLetterFilter.ALL.forRecipient(2).withReasons(Set.of(Reason.CLIENT_TOO_SLOW));
      List<Long> parked =
          server.reader().parked(backlog, ParkedCursor.START, 1_000_000).stream()
              .map(s -> s.letter().sequence())
              .toList();
      assertThat(parked)
          .as("parked in sequence order, whatever order they were stored in")
          .isSorted()
          .doesNotHaveDuplicates();

      UserClient back = server.client(2);
      assertThat(
              run(
                  "dlq",
                  "--data-dir",
                  dir.toString(),
                  "redrive",
                  "--user",
                  "2",
                  "--reason",
                  "CLIENT_TOO_SLOW",
                  "--rate",
                  "100000"))
          .isZero();
      List<Long> redriven =
          back.awaitLines(parked.size()).stream()
              .map(l -> Long.parseLong(l.split("\\|")[0]))
              .toList();
      assertThat(redriven).as("redriven in their original order").isEqualTo(parked);
    }
  }

  @Test
  void redriveDeliversParkedNotificationsInOrderToAUserWhoConnectedLater() {
    try (DurableServer server = new DurableServer(dir, false);
        EventSource source = server.source()) {
      source.send("1|P|2|7", "2|F|3|7", "3|P|4|7", "4|P|4|8");
      server.awaitStored(DeadLetterFilter.ALL.forRecipient(7), 3);
      UserClient late = server.client(7);

      int status =
          run("dlq", "--data-dir", dir.toString(), "redrive", "--user", "7", "--rate", "100");

      assertThat(status).isZero();
      assertThat(late.awaitLines(3)).containsExactly("1|P|2|7", "2|F|3|7", "3|P|4|7");
      assertThat(server.reader().list(DeadLetterFilter.ALL.forRecipient(7), 0, 10))
          .allSatisfy(s -> assertThat(s.redrivenAtMillis()).isPositive())
          .allSatisfy(s -> assertThat(s.letter().attempt()).isEqualTo(2));
      assertThat(server.reader().parked(DeadLetterFilter.ALL, ParkedCursor.START, 10))
          .extracting(s -> s.letter().recipient())
          .containsExactly(8);
      source.send("5|P|1|7");
      assertThat(late.awaitLines(4)).last().isEqualTo("5|P|1|7");
      assertThat(run("dlq", "--data-dir", dir.toString(), "redrive", "--user", "7")).isZero();
      assertThat(late.texts()).hasSize(4);
    }
  }

  @Test
  void withRedriveOnConnectAUserGetsWhatWasParkedBeforeAnythingLive() {
    try (DurableServer server = new DurableServer(dir, true);
        EventSource source = server.source()) {
      source.send("1|P|2|9", "2|S|1", "3|F|9|1", "4|P|5|9");
      server.awaitStored(DeadLetterFilter.ALL.forRecipient(9), 2);
      UserClient returning = server.client(9);
      source.send("5|P|6|9");
      assertThat(returning.awaitLines(3)).containsExactly("1|P|2|9", "4|P|5|9", "5|P|6|9");
      assertThat(
              server.reader().parked(DeadLetterFilter.ALL.forRecipient(9), ParkedCursor.START, 10))
          .isEmpty();
    }
  }

  @Test
  void theDlqCommandsShowCountListAndPurgeWhileTheServerRuns() {
    try (DurableServer server = new DurableServer(dir, false);
        EventSource source = server.source()) {
      source.send("1|P|2|3", "2|P|2|4", "3|Z");
      server.awaitStored(DeadLetterFilter.ALL, 3);
      String data = dir.toString();

      assertThat(output("dlq", "--data-dir", data, "stats"))
          .contains("dead letters: 3", "USER_NOT_CONNECTED", "UNKNOWN_TYPE");
      String json =
          output("dlq", "--data-dir", data, "list", "--json", "--reason", "USER_NOT_CONNECTED");
      assertThat(json.lines())
          .hasSize(2)
          .allSatisfy(
              line ->
                  assertThat(line)
                      .startsWith("{\"id\":")
                      .contains("\"reason\":\"USER_NOT_CONNECTED\""));
      assertThat(output("dlq", "--data-dir", data, "list", "--user", "4"))
          .contains("\"2|P|2|4\"")
          .doesNotContain("2|P|2|3");
      long malformed =
          server
              .reader()
              .list(DeadLetterFilter.ALL.withReasons(Set.of(Reason.UNKNOWN_TYPE)), 0, 1)
              .getFirst()
              .id();
      assertThat(output("dlq", "--data-dir", data, "show", Long.toString(malformed)))
          .contains("reason:      UNKNOWN_TYPE", "payload:     \"3|Z\"");
      assertThat(output("dlq", "--data-dir", data, "tail", "-n", "1"))
          .contains("3|Z")
          .doesNotContain("2|P|2|4");
      assertThat(output("dlq", "--data-dir", data, "redrive", "--dry-run"))
          .contains("2 parked notifications match");
      assertThat(output("dlq", "--data-dir", data, "purge", "--yes", "--reason", "UNKNOWN_TYPE"))
          .contains("purged 1 dead letters");
      assertThat(server.reader().count(DeadLetterFilter.ALL)).isEqualTo(2);
    }
  }

  private static int run(String... args) {
    return FollowerMaze.commandLine().execute(args);
  }

  private static String output(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(run(args)).as(String.join(" ", args)).isZero();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
