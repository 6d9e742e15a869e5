package io.followermaze.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.protocol.EventType;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Nothing the server receives is silently lost: bad lines and undeliverable notifications. */
class DeadLettersIT {

  @Test
  void everyKindOfBadLineBecomesADeadLetterAndValidEventsStillFlow() {
    try (RunningServer server = RunningServer.start();
        EventSource source = server.source()) {
      UserClient client = server.client(1);
      source.sendRaw(
          ("1|B\n\nx|B\n2|Q\n2|F|1\n2|P|a|1\n" + "9".repeat(2000) + "\n")
              .getBytes(StandardCharsets.UTF_8));
      source.sendRaw(new byte[] {'2', '|', 'S', '|', (byte) 0xff, '\n'});
      source.send("2|B");
      assertThat(client.awaitLines(2)).containsExactly("1|B", "2|B");
      for (Reason reason :
          new Reason[] {
            Reason.EMPTY_LINE,
            Reason.BAD_SEQUENCE,
            Reason.UNKNOWN_TYPE,
            Reason.WRONG_FIELD_COUNT,
            Reason.BAD_USER_ID,
            Reason.LINE_TOO_LONG,
            Reason.INVALID_UTF8
          }) {
        assertThat(server.awaitDeadLetters(reason, 1)).as(reason.name()).hasSize(1);
      }
      DeadLetter tooLong = server.deadLetters(Reason.LINE_TOO_LONG).getFirst();
      assertThat(tooLong.payloadLength()).isEqualTo(2001);
      assertThat(tooLong.payload()).hasSize(1024);
      assertThat(server.deadLetters(Reason.INVALID_UTF8).getFirst().payload())
          .containsExactly('2', '|', 'S', '|', 0xff, '\n');
      assertThat(server.deadLetters(Reason.EMPTY_LINE).getFirst().origin())
          .startsWith("source#1 127.0.0.1:");
    }
  }

  @Test
  void aLineCutOffByTheSourceDisconnectingIsADeadLetterNotAnEvent() {
    try (RunningServer server = RunningServer.start()) {
      UserClient client = server.client(4);
      try (EventSource source = server.source()) {
        source.sendRaw("1|P|2|4\n2|P|3|4".getBytes(StandardCharsets.US_ASCII));
      }
      DeadLetter cut = server.awaitDeadLetters(Reason.TRUNCATED_LINE, 1).getFirst();
      assertThat(cut.sequence()).isEqualTo(2);
      assertThat(client.awaitLines(1)).containsExactly("1|P|2|4");
    }
  }

  @Test
  void aNotificationForAUserWhoIsNotConnectedIsADeadLetterWithItsRecipient() {
    try (RunningServer server = RunningServer.start();
        EventSource source = server.source()) {
      source.send("1|F|3|8", "2|S|8", "3|P|8|3");
      DeadLetter follow = server.awaitDeadLetters(Reason.USER_NOT_CONNECTED, 3).getFirst();
      assertThat(follow.recipient()).isEqualTo(8);
      assertThat(follow.sequence()).isEqualTo(1);
      assertThat(follow.type()).isEqualTo(EventType.FOLLOW);
      assertThat(follow.payloadText()).isEqualTo("1|F|3|8");
      assertThat(server.deadLetters(Reason.USER_NOT_CONNECTED))
          .extracting(DeadLetter::recipient)
          .containsExactly(8, 3, 3);
    }
  }

  @Test
  void aSlowClientIsDisconnectedItsBacklogIsDeadLetteredAndOthersAreUnaffected()
      throws IOException {
    ServerConfig config =
        TestServerConfig.loopback()
            .withClientBounds(64, SlowClientPolicy.DISCONNECT, 100, Duration.ofSeconds(10));
    try (RunningServer server = RunningServer.start(config);
        EventSource source = server.source()) {
      UserClient healthy = server.client(1);
      Socket slow = new Socket("127.0.0.1", server.server().clientPort());
      slow.setReceiveBufferSize(4096);
      slow.getOutputStream().write("2\n".getBytes(StandardCharsets.US_ASCII));
      await().until(() -> server.server().stats().connectedClients() == 2);
      int total = 300_000;
      StringBuilder batch = new StringBuilder();
      for (int s = 1; s <= total; s++) {
        batch.append(s).append(s % 1000 == 0 ? "|P|9|1\n" : "|P|9|2\n");
        if (s % 10_000 == 0) {
          source.sendRaw(batch.toString().getBytes(StandardCharsets.US_ASCII));
          batch.setLength(0);
        }
      }
      assertThat(healthy.awaitLines(total / 1000))
          .hasSize(total / 1000)
          .last()
          .isEqualTo(total + "|P|9|1");
      assertThat(server.awaitDeadLetters(Reason.CLIENT_TOO_SLOW, 1))
          .allSatisfy(l -> assertThat(l.recipient()).isEqualTo(2));

      slow.setSoTimeout(20_000);
      String received = new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      Set<Long> delivered = new HashSet<>();
      received.lines().forEach(l -> delivered.add(Long.parseLong(l.split("\\|")[0])));
      // What the evicted client did not read becomes dead letters as its queues are drained.
      await()
          .atMost(RunningServer.PATIENCE)
          .untilAsserted(
              () -> {
                Set<Long> accounted = new HashSet<>(delivered);
                server.deadLetters().forEach(l -> accounted.add(l.sequence()));
                List<Long> missing =
                    LongStream.rangeClosed(1, total)
                        .filter(s -> s % 1000 != 0 && !accounted.contains(s))
                        .boxed()
                        .toList();
                assertThat(missing)
                    .as("notifications for the slow client neither delivered nor dead-lettered")
                    .isEmpty();
              });
      slow.close();
    }
  }

  @Test
  void notificationsStillQueuedWhenAConnectionIsResetBecomeDeadLettersInOrder() throws IOException {
    ServerConfig config =
        TestServerConfig.loopback()
            .withClientBounds(64L << 20, SlowClientPolicy.DEAD_LETTER, 100, Duration.ofSeconds(10));
    try (RunningServer server = RunningServer.start(config);
        EventSource source = server.source()) {
      Socket stuck = new Socket("127.0.0.1", server.server().clientPort());
      stuck.setReceiveBufferSize(4096);
      stuck.getOutputStream().write("2\n".getBytes(StandardCharsets.US_ASCII));
      await().until(() -> server.server().stats().connectedClients() == 1);
      int total = 1_000_000;
      StringBuilder lines = new StringBuilder();
      for (int s = 1; s <= total; s++) {
        lines.append(s).append("|P|9|2\n");
      }
      source.sendRaw(lines.toString().getBytes(StandardCharsets.US_ASCII));
      await()
          .atMost(RunningServer.PATIENCE)
          .until(() -> server.server().stats().notificationsQueued() == total);
      stuck.setSoLinger(true, 0);
      stuck.close();
      await()
          .atMost(RunningServer.PATIENCE)
          .until(() -> server.server().stats().connectedClients() == 0);
      source.send((total + 1) + "|P|9|2");
      server.awaitDeadLetters(Reason.USER_NOT_CONNECTED, 1);

      var lost = server.deadLetters(Reason.CONNECTION_LOST);
      assertThat(lost).as("the socket buffers cannot hold a million lines").isNotEmpty();
      assertThat(lost).allSatisfy(l -> assertThat(l.recipient()).isEqualTo(2));
      assertThat(lost)
          .extracting(DeadLetter::sequence)
          .isSorted()
          .doesNotHaveDuplicates()
          .last()
          .isEqualTo((long) total);
      long first = lost.getFirst().sequence();
      assertThat(lost)
          .as("the lost ones are the undelivered tail")
          .hasSize((int) (total - first + 1));
    }
  }
}
