package io.followermaze.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.Reason;
import io.followermaze.testing.Cluster;
import io.followermaze.testing.EventSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway commits its position in the event log only after the work: once its engine has handled
 * the events before it and their dead letters are stored. Killed in between, it would restart
 * before them (and handle them again) rather than after them with their letters lost.
 */
class CommitAfterTheWorkIT {

  @TempDir Path kafkaDir;

  @Test
  void aGatewayDoesNotCommitPastEventsWhoseDeadLettersAreNotYetStored() throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 1);
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker.bootstrap()))) {
      Cluster.Gateway gateway = cluster.gateways.getFirst();
      gateway.deadLetters.holdStorage();
      try (EventSource source = new EventSource(cluster.sequencer.eventPort())) {
        source.send("1|P|1|777", "2|P|2|777"); // user 777 is not connected: two dead letters
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> gateway.deadLetters.withReason(Reason.USER_NOT_CONNECTED).size() == 2);
      // The feed polls every 100 ms: several polls pass with the letters raised, not stored.
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> committed(admin, gateway.id) == -1);

      gateway.deadLetters.releaseStorage();
      TopicPartition events = new TopicPartition(ClusterTopics.EVENTS, 0);
      long end =
          admin
              .listOffsets(Map.of(events, OffsetSpec.latest()))
              .partitionResult(events)
              .get()
              .offset();
      assertThat(end).as("the log holds the two events").isPositive();
      await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin, gateway.id) == end);
      assertThat(gateway.deadLetters.withReason(Reason.USER_NOT_CONNECTED)).hasSize(2);
    }
  }

  /** The gateway's committed offset in the event log, -1 for none. */
  private static long committed(Admin admin, String gatewayId) throws Exception {
    OffsetAndMetadata offset =
        admin
            .listConsumerGroupOffsets("followermaze-gateway-" + gatewayId)
            .partitionsToOffsetAndMetadata()
            .get()
            .get(new TopicPartition(ClusterTopics.EVENTS, 0));
    return offset == null ? -1 : offset.offset();
  }
}
