package io.followermaze.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.followermaze.admin.AdminServer;
import io.followermaze.cli.FollowerMaze;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.lifecycle.Roles;
import io.followermaze.server.Server;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.KafkaBroker;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Redrive from a dead-letter topic: in original order, to users connected now, never twice. */
class KafkaRedriveIT {

  private static final String TOPIC = "maze.dlq";

  @TempDir Path kafkaDir;

  private static long parked(KafkaBroker broker) {
    try (KafkaDeadLetterArchive archive = new KafkaDeadLetterArchive(broker.bootstrap(), TOPIC)) {
      List<StoredDeadLetter> letters = new ArrayList<>();
      archive.scanParked(DeadLetterFilter.ALL, letters::add);
      return letters.size();
    }
  }

  private static String cli(String... args) {
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.out;
    System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      assertThat(FollowerMaze.commandLine().execute(args)).isZero();
    } finally {
      System.setOut(original);
    }
    return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void startRedriver(KafkaBroker broker, Server server) {
    server
        .roles()
        .start(
            new KafkaRedriver(broker.bootstrap(), TOPIC, server::redeliver),
            org.agrona.concurrent.NoOpIdleStrategy.INSTANCE);
  }

  /** A collector committing to the topic in small batches, promptly. */
  private static DeadLetterCollector collector(KafkaBroker broker) {
    return new DeadLetterCollector(
            KafkaDeadLetterStore.open(broker.bootstrap(), TOPIC, 3),
            32 << 10,
            4 << 10,
            Duration.ofMillis(20))
        .start(new Roles());
  }

  @Test
  void parkedNotificationsGoToUsersWhoConnectedLaterInOrderAndAreNeverRedrivenTwice()
      throws Exception {
    try (KafkaBroker broker = new KafkaBroker(kafkaDir)) {
      DeadLetterCollector collector = collector(broker);
      LoggingDeadLetterSink deadLetters = new LoggingDeadLetterSink(0, collector);
      Server server = Server.start(TestServerConfig.loopback(), new Roles(), deadLetters);
      startRedriver(broker, server);
      AdminServer admin =
          AdminServer.start(
              new AdminServer.Options("127.0.0.1", 0, null),
              server,
              deadLetters,
              collector,
              new KafkaDlqOperations(broker.bootstrap(), TOPIC),
              null);
      try (EventSource source = new EventSource(server.eventPort())) {
        source.send("1|P|2|7", "2|P|3|8", "3|F|4|7", "4|P|5|7");
        await().atMost(RunningServer.PATIENCE).until(() -> collector.committed() == 4);
        // Every dlq command and /dlq work on the topic too.
        assertThat(parked(broker)).isEqualTo(4);
        try (KafkaDlqOperations topic = new KafkaDlqOperations(broker.bootstrap(), TOPIC)) {
          assertThat(topic.stats().byReason()).containsEntry(Reason.USER_NOT_CONNECTED, 4L);
          assertThat(topic.count(DeadLetterFilter.ALL.forRecipient(7))).isEqualTo(3);
          List<StoredDeadLetter> sevens =
              topic.list(DeadLetterFilter.ALL.forRecipient(7), 0, 10).letters();
          assertThat(sevens).extracting(l -> l.letter().sequence()).containsExactly(1L, 3L, 4L);
          assertThat(topic.get(sevens.get(1).id()))
              .hasValueSatisfying(l -> assertThat(l.letter().payloadText()).isEqualTo("3|F|4|7"));
          assertThat(topic.dryRun(DeadLetterFilter.ALL, 10).matching()).isEqualTo(4);
          assertThatThrownBy(() -> topic.purge(DeadLetterFilter.ALL))
              .hasMessageContaining("retention");
        }
        HttpResponse<String> overHttp =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + admin.port() + "/dlq?user=7"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(overHttp.statusCode()).isEqualTo(200);
        assertThat(overHttp.body())
            .contains("1|P|2|7")
            .contains("4|P|5|7")
            .doesNotContain("2|P|3|8");
        String stats = cli("dlq", "stats", "--kafka-bootstrap", broker.bootstrap());
        assertThat(stats)
            .contains("dead letters: 4 in Kafka topic maze.dlq")
            .contains("USER_NOT_CONNECTED")
            .contains("4");

        UserClient seven = UserClient.connect(server.clientPort(), 7);
        await().atMost(RunningServer.PATIENCE).until(() -> server.stats().connectedClients() == 1);
        KafkaRedriveRequests.request(broker.bootstrap(), TOPIC, DeadLetterFilter.ALL, 1_000);
        assertThat(seven.awaitLines(3)).containsExactly("1|P|2|7", "3|F|4|7", "4|P|5|7");
        // User 8 was offline: its letter is parked again, after the redrive position.
        await().atMost(Duration.ofSeconds(30)).until(() -> parked(broker) == 1);

        UserClient eight = UserClient.connect(server.clientPort(), 8);
        await().atMost(RunningServer.PATIENCE).until(() -> server.stats().connectedClients() == 2);
        KafkaRedriveRequests.request(broker.bootstrap(), TOPIC, DeadLetterFilter.ALL, 1_000);
        assertThat(eight.awaitLines(1)).containsExactly("2|P|3|8");
        await().atMost(Duration.ofSeconds(30)).until(() -> parked(broker) == 0);
        source.send("5|B");
        assertThat(seven.awaitLines(4))
            .as("nothing redriven twice")
            .containsExactly("1|P|2|7", "3|F|4|7", "4|P|5|7", "5|B");
      } finally {
        admin.close();
        server.close();
        collector.close();
      }
    }
  }

  /**
   * The topic refuses the letters a redrive parks again (an operator shrank its largest record):
   * the redrive request fails without moving the position, so the letters are still parked when the
   * topic takes them again, and a later redrive delivers every one.
   */
  @Test
  void lettersTheTopicRefusesToParkAgainStayParkedForTheNextRedrive() throws Exception {
    try (KafkaBroker broker = new KafkaBroker(kafkaDir)) {
      DeadLetterCollector collector = collector(broker);
      LoggingDeadLetterSink deadLetters = new LoggingDeadLetterSink(0, collector);
      Server server = Server.start(TestServerConfig.loopback(), new Roles(), deadLetters);
      startRedriver(broker, server);
      try (EventSource source = new EventSource(server.eventPort());
          org.apache.kafka.clients.admin.Admin admin =
              org.apache.kafka.clients.admin.Admin.create(
                  java.util.Map.of(
                      org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                      broker.bootstrap()))) {
        source.send("1|P|2|7", "2|P|3|7", "3|P|4|7");
        await().atMost(RunningServer.PATIENCE).until(() -> collector.committed() == 3);
        maxMessageBytes(admin, "64");
        long refused =
            KafkaRedriveRequests.request(broker.bootstrap(), TOPIC, DeadLetterFilter.ALL, 1_000);
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> KafkaRedriveRequests.done(broker.bootstrap(), TOPIC, refused));
        maxMessageBytes(admin, null);

        UserClient seven = UserClient.connect(server.clientPort(), 7);
        await().atMost(RunningServer.PATIENCE).until(() -> server.stats().connectedClients() == 1);
        KafkaRedriveRequests.request(broker.bootstrap(), TOPIC, DeadLetterFilter.ALL, 1_000);
        assertThat(seven.awaitLines(3)).containsExactly("1|P|2|7", "2|P|3|7", "3|P|4|7");
        assertThat(server.roles().death()).isNull();
      } finally {
        server.close();
        collector.close();
      }
    }
  }

  /** Sets (or, with null, removes) the topic's largest record. */
  private static void maxMessageBytes(org.apache.kafka.clients.admin.Admin admin, String bytes)
      throws Exception {
    var op =
        new org.apache.kafka.clients.admin.AlterConfigOp(
            new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", bytes),
            bytes == null
                ? org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE
                : org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET);
    admin
        .incrementalAlterConfigs(
            java.util.Map.of(
                new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, TOPIC),
                List.of(op)))
        .all()
        .get();
  }
}
