package io.followermaze.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.Reason;
import io.followermaze.lifecycle.Roles;
import io.followermaze.server.Server;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.KafkaBroker;
import io.followermaze.testing.TestServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dead letters to a real Kafka broker (forked KRaft process), through an outage of the broker. */
class KafkaDeadLettersIT {

  private static final String TOPIC = "maze.dlq";

  @TempDir Path kafkaDir;

  /** Every record of {@code topic}, read from the beginning to the current end. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the topic's records up to " + end + " were not all readable");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  @Test
  void aBrokerStoppedAndRestartedMidRunLosesNoDeadLetterAndDuplicatesNone() throws Exception {
    int events = 60_000;
    try (KafkaBroker broker = new KafkaBroker(kafkaDir)) {
      DeadLetterCollector collector =
          new DeadLetterCollector(
                  KafkaDeadLetterStore.open(broker.bootstrap(), TOPIC, 3),
                  64 << 10,
                  16 << 10,
                  Duration.ofMillis(20))
              .start(new Roles());
      try (Server server = Server.start(TestServerConfig.loopback(), new Roles(), collector)) {
        AtomicLong sent = new AtomicLong();
        Thread source =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try (EventSource feed = new EventSource(server.eventPort())) {
                        for (int first = 1; first <= events; first += 1_000) {
                          StringBuilder lines = new StringBuilder();
                          for (int s = first; s < first + 1_000; s++) {
                            lines.append(s).append("|P|1|").append(100 + s % 997).append('\n');
                          }
                          feed.sendRaw(lines.toString().getBytes(StandardCharsets.US_ASCII));
                          sent.set(first + 999);
                        }
                      } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    });
        await().atMost(Duration.ofSeconds(60)).until(() -> collector.committed() >= 5_000);
        broker.stop();
        long committedAtStop = collector.committed();
        // With the broker down the collector's queue fills and intake pauses: the source is held
        // back.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> collector.backPressureWaits() > 0 || sent.get() == events);
        broker.start();
        source.join(Duration.ofMinutes(2));
        await().atMost(Duration.ofMinutes(2)).until(() -> collector.committed() == events);
        System.out.printf(
            "kafka dlq: %d committed before the broker stopped, %d after it came back%n",
            committedAtStop, collector.committed());
      } finally {
        collector.close();
      }

      List<ConsumerRecord<byte[], byte[]>> records = readAll(broker.bootstrap(), TOPIC);
      Set<Long> sequences = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        DeadLetter letter = DeadLetterHeaders.toLetter(record.headers(), record.value());
        assertThat(letter.reason()).isEqualTo(Reason.USER_NOT_CONNECTED);
        assertThat(new String(record.key(), StandardCharsets.US_ASCII))
            .isEqualTo(Integer.toString(letter.recipient()));
        assertThat(new String(record.value(), StandardCharsets.US_ASCII))
            .isEqualTo(letter.sequence() + "|P|1|" + letter.recipient() + "\n");
        sequences.add(letter.sequence());
      }
      assertThat(records).as("records in the topic").hasSize(events);
      assertThat(sequences).as("distinct sequence numbers: none lost, none twice").hasSize(events);
    }
  }

  @Test
  void anEventThatMissedManyFollowersIsOneRecordPerPartitionListingThem() throws Exception {
    try (KafkaBroker broker = new KafkaBroker(kafkaDir)) {
      DeadLetterCollector collector =
          new DeadLetterCollector(
                  KafkaDeadLetterStore.open(broker.bootstrap(), TOPIC, 3),
                  64 << 10,
                  16 << 10,
                  Duration.ofMillis(20))
              .start(new Roles());
      int followers = 50;
      int posts = 20;
      try (Server server = Server.start(TestServerConfig.loopback(), new Roles(), collector);
          EventSource source = new EventSource(server.eventPort())) {
        StringBuilder lines = new StringBuilder();
        for (int f = 0; f < followers; f++) {
          lines.append(f + 1).append("|F|").append(100 + f).append("|1\n");
        }
        for (int p = 0; p < posts; p++) {
          lines.append(followers + p + 1).append("|S|1\n");
        }
        source.sendRaw(lines.toString().getBytes(StandardCharsets.US_ASCII));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> collector.committed() == followers + (long) posts * followers);
      } finally {
        collector.close();
      }
      List<ConsumerRecord<byte[], byte[]>> records = readAll(broker.bootstrap(), TOPIC);
      Set<String> letters = new HashSet<>();
      long bytes = 0;
      long oneRecordPerLetter = 0;
      int statusRecords = 0;
      for (ConsumerRecord<byte[], byte[]> record : records) {
        bytes += record.serializedKeySize() + record.serializedValueSize();
        for (var header : record.headers()) {
          bytes += header.key().length() + header.value().length;
        }
        for (DeadLetter letter : DeadLetterHeaders.toLetters(record.headers(), record.value())) {
          assertThat(KafkaDeadLetterStore.partitionOf(letter.recipient(), 3))
              .as("each user's letters in its partition")
              .isEqualTo(record.partition());
          assertThat(letters.add(letter.recipient() + ":" + letter.sequence()))
              .as("once each")
              .isTrue();
          oneRecordPerLetter +=
              Integer.toString(letter.recipient()).length() + letter.payload().length;
          for (var header : DeadLetterHeaders.of(letter)) {
            oneRecordPerLetter += header.key().length() + header.value().length;
          }
        }
        statusRecords +=
            new String(record.value(), StandardCharsets.US_ASCII).contains("|S|") ? 1 : 0;
      }
      System.out.printf(
          "kafka dlq, store once: %d letters in %d records, %.1f bytes of key, value and headers per letter"
              + " (one record per letter: %.1f)%n",
          letters.size(),
          records.size(),
          (double) bytes / letters.size(),
          (double) oneRecordPerLetter / letters.size());
      assertThat(bytes).as("stored once, not per recipient").isLessThan(oneRecordPerLetter / 3);
      assertThat(letters).hasSize(followers + posts * followers);
      assertThat(statusRecords)
          .as("a post is at most one record per partition")
          .isLessThanOrEqualTo(posts * 3);
      for (int f = 0; f < followers; f++) {
        assertThat(letters).contains((100 + f) + ":" + (followers + posts));
      }
    }
  }
}
