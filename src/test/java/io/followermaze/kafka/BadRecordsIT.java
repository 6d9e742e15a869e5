package io.followermaze.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.Reason;
import io.followermaze.testing.Cluster;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.UserClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record a gateway cannot read, on the event log or the presence topic, is counted and skipped:
 * the gateway's roles go on (before, the thread reading that topic ended and the gateway served on
 * half-alive: no more events, or a frozen view of who is where).
 */
class BadRecordsIT {

  @TempDir Path kafkaDir;

  @Test
  void unreadableRecordsAreSkippedAndTheGatewaysKeepDeliveringAndTrackingPresence()
      throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 2);
        KafkaProducer<byte[], byte[]> raw = rawProducer(cluster);
        EventSource source = new EventSource(cluster.sequencer.eventPort());
        UserClient one = UserClient.connect(cluster.gateways.get(1).server.clientPort(), 1)) {
      Cluster.Gateway g0 = cluster.gateways.get(0);
      Cluster.Gateway g1 = cluster.gateways.get(1);
      await().until(() -> !g0.presence.test(1));
      source.send("1|B");
      one.awaitLines(1);

      raw.send(new ProducerRecord<>(ClusterTopics.EVENTS, 0, null, null)).get();
      raw.send(
              new ProducerRecord<>(
                  ClusterTopics.PRESENCE, "not-a-user".getBytes(StandardCharsets.US_ASCII), null))
          .get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> g1.presence.skipped() == 1 && g0.presence.skipped() == 1);

      // User 5 belongs to gateway 1 (5 % 2) but connects to gateway 0: gateway 1 must still hear
      // of it, or it would dead-letter 5's notifications as offline.
      try (UserClient five = UserClient.connect(g0.server.clientPort(), 5)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !g1.presence.test(5));
        source.send("2|B", "3|P|1|5");
        assertThat(one.awaitLines(2)).containsExactly("1|B", "2|B");
        assertThat(five.awaitLines(2)).containsExactly("2|B", "3|P|1|5");
      }
      assertThat(g1.deadLetters.withReason(Reason.USER_NOT_CONNECTED))
          .noneMatch(l -> l.recipient() == 5);
      assertThat(g0.server.roles().death()).isNull();
      assertThat(g1.server.roles().death()).isNull();
    }
  }

  private static KafkaProducer<byte[], byte[]> rawProducer(Cluster cluster) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker.bootstrap()),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  @Test
  void aRecordTheEventLogRefusesStopsTheSequencerInsteadOfLeavingAHole() throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 1);
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker.bootstrap()));
        EventSource source = new EventSource(cluster.sequencer.eventPort())) {
      // An operator shrinks the largest record the log takes below what the sequencer packs.
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.TOPIC, ClusterTopics.EVENTS),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("max.message.bytes", "256"), AlterConfigOp.OpType.SET))))
          .all()
          .get();
      String[] lines = new String[5_000];
      for (int s = 1; s <= lines.length; s++) {
        lines[s - 1] = s + "|P|" + (s * 7919 % 100_003) + "|" + (s * 104_729 % 99_991);
      }
      source.send(lines);
      source.send("5001|B");

      await().atMost(Duration.ofSeconds(60)).until(() -> cluster.sequencer.roles().death() != null);
      assertThat(cluster.sequencer.roles().death().describe())
          .contains("engine", "event log", "refused the record with sequence numbers 1..");
    }
  }
}
