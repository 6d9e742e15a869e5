package io.followermaze.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.lifecycle.Roles;
import io.followermaze.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway that starts again after a death without goodbye forgets its previous life's users
 * (tombstones) before its first heartbeat, so that heartbeat never renews their lease.
 */
class PresenceRestartIT {

  @TempDir Path kafkaDir;

  @Test
  void aRestartedGatewayTombstonesItsPreviousUsersBeforeItsFirstHeartbeat() throws Exception {
    try (KafkaBroker broker = new KafkaBroker(kafkaDir)) {
      String topic = "maze.presence.restart";
      Roles roles = new Roles();
      PresenceTable before = new PresenceTable(broker.bootstrap(), topic, "g0", 2, 0);
      AutoCloseable reading = roles.start(before.reader(), NoOpIdleStrategy.INSTANCE);
      before.connected(777, new Object());
      await().atMost(Duration.ofSeconds(60)).until(() -> records(broker, topic).size() >= 2);
      reading.close();
      before.close(); // flushed, but no tombstone: as after a kill -9
      int earlier = records(broker, topic).size();

      PresenceTable after = new PresenceTable(broker.bootstrap(), topic, "g0", 2, 0);
      AutoCloseable again = roles.start(after.reader(), NoOpIdleStrategy.INSTANCE);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> records(broker, topic).stream().skip(earlier).anyMatch(r -> isBeat(r)));
      List<ConsumerRecord<byte[], byte[]>> restart =
          records(broker, topic).stream().skip(earlier).toList();
      int tombstone = indexOf(restart, "777", true);
      int beat = indexOf(restart, "@g0", false);
      assertThat(tombstone).as("the previous life's user is tombstoned").isNotNegative();
      assertThat(tombstone).as("tombstone before the first heartbeat").isLessThan(beat);
      again.close();
      after.close();
      roles.close();
    }
  }

  private static boolean isBeat(ConsumerRecord<byte[], byte[]> record) {
    return "@g0".equals(key(record));
  }

  private static int indexOf(
      List<ConsumerRecord<byte[], byte[]>> records, String key, boolean tombstone) {
    for (int i = 0; i < records.size(); i++) {
      if (key.equals(key(records.get(i))) && (records.get(i).value() == null) == tombstone) {
        return i;
      }
    }
    return -1;
  }

  private static String key(ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
  }

  /** Every record of the topic so far, in order. */
  private static List<ConsumerRecord<byte[], byte[]>> records(KafkaBroker broker, String topic) {
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.consumer(broker.bootstrap(), Map.of())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = consumer.endOffsets(List.of(partition)).get(partition);
      List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
      while (consumer.position(partition) < end) {
        consumer.poll(Duration.ofMillis(200)).records(partition).forEach(all::add);
      }
      return all;
    }
  }
}
