package io.followermaze.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A malformed line never blocks delivery for good: its number is delivered if a valid line with it
 * arrives, and skipped (as a SEQUENCE_GAP dead letter) only once it is clearly not coming.
 */
class GapPolicyIT {

  @Test
  void aValidEventStillArrivesAfterAMalformedLineWithTheSameNumber() {
    try (RunningServer server = RunningServer.start();
        EventSource source = server.source()) {
      UserClient client = server.client(1);
      source.send("1|B", "2|X|bad", "3|B", "2|B");
      assertThat(client.awaitLines(3)).containsExactly("1|B", "2|B", "3|B");
      DeadLetter letter = server.awaitDeadLetters(Reason.UNKNOWN_TYPE, 1).getFirst();
      assertThat(letter.sequence()).isEqualTo(2);
      assertThat(letter.payloadText()).isEqualTo("2|X|bad");
      assertThat(server.deadLetters(Reason.SEQUENCE_GAP)).isEmpty();
    }
  }

  @Test
  void aMissingNumberIsSkippedWhenTheSourceDisconnects() {
    try (RunningServer server = RunningServer.start()) {
      UserClient client = server.client(1);
      try (EventSource source = server.source()) {
        source.send("1|B", "2|garbage", "3|B", "4|B");
        server.awaitReceived(3);
      }
      assertThat(client.awaitLines(3)).containsExactly("1|B", "3|B", "4|B");
      DeadLetter gap = server.awaitDeadLetters(Reason.SEQUENCE_GAP, 1).getFirst();
      assertThat(gap.sequence()).isEqualTo(2);
      assertThat(gap.error())
          .contains("sequence 2 skipped (source_disconnected)", "2 events were held");
    }
  }

  @Test
  void aMissingNumberIsSkippedOnceTheStreamMovesFarPastIt() {
    ServerConfig config = TestServerConfig.loopback().withGapPolicy(10, Duration.ofMinutes(5));
    try (RunningServer server = RunningServer.start(config);
        EventSource source = server.source()) {
      UserClient client = server.client(1);
      List<String> lines = new ArrayList<>(List.of("1|B", "2|S|oops"));
      for (int s = 3; s <= 12; s++) {
        lines.add(s + "|B");
      }
      source.send(lines.toArray(String[]::new));
      List<String> received = client.awaitLines(11);
      assertThat(received).startsWith("1|B", "3|B").endsWith("12|B").doesNotContain("2|B");
      assertThat(server.awaitDeadLetters(Reason.SEQUENCE_GAP, 1).getFirst().error())
          .contains("stream_moved_on");
    }
  }

  @Test
  void oneCorruptNumberFarAheadIsADeadLetterAndTheRestOfTheStreamIsDelivered() {
    try (RunningServer server = RunningServer.start();
        EventSource source = server.source()) {
      UserClient client = server.client(1);
      source.send("1|B", "999999999999999999|B", "2|B", "3|B");
      assertThat(client.awaitLines(3)).containsExactly("1|B", "2|B", "3|B");
      assertThat(server.awaitDeadLetters(Reason.SEQUENCE_OUT_OF_RANGE, 1).getFirst().payloadText())
          .isEqualTo("999999999999999999|B");
      assertThat(server.deadLetters(Reason.DUPLICATE_SEQUENCE)).isEmpty();
    }
  }

  @Test
  void aMissingNumberIsSkippedAfterTheSourceIsSilentForTheGapTimeout() {
    ServerConfig config = TestServerConfig.loopback().withGapPolicy(50_000, Duration.ofMillis(300));
    try (RunningServer server = RunningServer.start(config);
        EventSource source = server.source()) {
      UserClient client = server.client(1);
      source.send("1|B", "3|B");
      assertThat(client.awaitLines(2)).containsExactly("1|B", "3|B");
      DeadLetter gap = server.awaitDeadLetters(Reason.SEQUENCE_GAP, 1).getFirst();
      assertThat(gap.sequence()).isEqualTo(2);
      assertThat(gap.error()).contains("timeout");
    }
  }

  @Test
  void aLateEventArrivingWhileItsGapIsHeldIsDeliveredInOrderNotSkipped() {
    try (RunningServer server = RunningServer.start();
        EventSource source = server.source()) {
      UserClient client = server.client(1);
      source.send("2|B");
      org.awaitility.Awaitility.await().until(() -> server.server().stats().reorderDepth() == 1);
      source.send("1|B");
      assertThat(client.awaitLines(2)).containsExactly("1|B", "2|B");
      assertThat(server.deadLetters()).isEmpty();
    }
  }

  @Test
  void aDuplicateNumberIsADeadLetterAndTheFirstEventWins() {
    try (RunningServer server = RunningServer.start();
        EventSource source = server.source()) {
      UserClient client = server.client(1);
      source.send("2|P|9|1", "2|B", "1|B", "1|P|3|1", "3|B");
      assertThat(client.awaitLines(3)).containsExactly("1|B", "2|P|9|1", "3|B");
      List<DeadLetter> duplicates = server.awaitDeadLetters(Reason.DUPLICATE_SEQUENCE, 2);
      assertThat(duplicates).extracting(DeadLetter::payloadText).containsExactly("2|B", "1|P|3|1");
    }
  }
}
