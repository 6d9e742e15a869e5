package io.followermaze.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.UserClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The routing rules of the specification, over real sockets. A closing broadcast proves absence.
 */
class RoutingIT {

  private final RunningServer server = RunningServer.start();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void followNotifiesOnlyTheFollowedUser() {
    UserClient followed = server.client(50);
    UserClient follower = server.client(60);
    try (EventSource source = server.source()) {
      source.send("1|F|60|50", "2|B");
    }
    assertThat(followed.awaitLastLine("2|B")).containsExactly("1|F|60|50", "2|B");
    assertThat(follower.awaitLastLine("2|B")).containsExactly("2|B");
  }

  @Test
  void unfollowNotifiesNobodyAndEndsStatusUpdates() {
    UserClient followed = server.client(9);
    UserClient follower = server.client(12);
    try (EventSource source = server.source()) {
      source.send("1|F|12|9", "2|S|9", "3|U|12|9", "4|S|9", "5|B");
    }
    assertThat(follower.awaitLastLine("5|B")).containsExactly("2|S|9", "5|B");
    assertThat(followed.awaitLastLine("5|B")).containsExactly("1|F|12|9", "5|B");
  }

  @Test
  void broadcastReachesEveryConnectedClient() {
    List<UserClient> clients = List.of(server.client(1), server.client(2), server.client(3));
    try (EventSource source = server.source()) {
      source.send("1|B");
    }
    clients.forEach(c -> assertThat(c.awaitLines(1)).containsExactly("1|B"));
  }

  @Test
  void privateMessageReachesOnlyTheRecipient() {
    UserClient sender = server.client(32);
    UserClient recipient = server.client(56);
    try (EventSource source = server.source()) {
      source.send("1|P|32|56", "2|B");
    }
    assertThat(recipient.awaitLastLine("2|B")).containsExactly("1|P|32|56", "2|B");
    assertThat(sender.awaitLastLine("2|B")).containsExactly("2|B");
  }

  @Test
  void statusUpdateReachesEveryCurrentFollowerAndNobodyElse() {
    UserClient author = server.client(32);
    UserClient fan = server.client(1);
    UserClient stranger = server.client(2);
    try (EventSource source = server.source()) {
      source.send("1|F|1|32", "2|S|32", "3|B");
    }
    assertThat(fan.awaitLastLine("3|B")).containsExactly("2|S|32", "3|B");
    assertThat(author.awaitLastLine("3|B")).containsExactly("1|F|1|32", "3|B");
    assertThat(stranger.awaitLastLine("3|B")).containsExactly("3|B");
  }

  @Test
  void followsMadeWhileAUserWasOfflineCountOnceTheyConnect() {
    UserClient author = server.client(7);
    try (EventSource source = server.source()) {
      source.send("1|F|8|7", "2|B");
      author.awaitLastLine("2|B");
      UserClient fan = server.client(8);
      source.send("3|S|7", "4|B");
      assertThat(fan.awaitLastLine("4|B")).containsExactly("3|S|7", "4|B");
    }
  }

  @Test
  void deliversInSequenceOrderWhenReceivedReversed() {
    UserClient client = server.client(5);
    List<String> lines = new ArrayList<>();
    for (int s = 200; s >= 1; s--) {
      lines.add(s + "|P|1|5");
    }
    try (EventSource source = server.source()) {
      source.send(lines.toArray(String[]::new));
    }
    List<String> received = client.awaitLines(200);
    assertThat(received).first().isEqualTo("1|P|1|5");
    assertThat(received).last().isEqualTo("200|P|1|5");
    assertThat(received.stream().map(l -> Long.parseLong(l.split("\\|")[0])).toList())
        .isSorted()
        .hasSize(200);
  }

  @Test
  void deliversInOrderWhenShuffledWithinLargeBatches() {
    UserClient client = server.client(1);
    List<String> lines = new ArrayList<>();
    for (int s = 1; s <= 20_000; s++) {
      lines.add(s + "|B");
    }
    Collections.shuffle(lines.subList(0, 10_000), new Random(1));
    Collections.shuffle(lines.subList(10_000, 20_000), new Random(2));
    try (EventSource source = server.source()) {
      source.send(lines.toArray(String[]::new));
    }
    List<String> received = client.awaitLines(20_000);
    for (int i = 0; i < received.size(); i++) {
      assertThat(received.get(i)).isEqualTo((i + 1) + "|B");
    }
  }

  @Test
  void forwardsTheExactBytesTheSourceSentIncludingCrlf() {
    UserClient client = server.client(4);
    try (EventSource source = server.source()) {
      source.sendRaw("2|P|1|4\r\n1|P|0004|4\n".getBytes());
    }
    client.awaitLines(2);
    assertThat(client.lines()).containsExactly("1|P|0004|4\n", "2|P|1|4\r\n");
  }
}
