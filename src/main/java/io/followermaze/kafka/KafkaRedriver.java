package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.RedriveTarget;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redrive for a dead-letter topic ({@code serve --dlq kafka}). Requests arrive on {@code
 * <topic>.redrive} ({@link #request}); for each, the redriver reads the dead-letter topic from the
 * consumer group {@value #GROUP}'s committed position to the end the topic had when the request
 * started: matching undeliverable letters are re-delivered to their users if connected; every other
 * letter read (not matching, not undeliverable, or its user offline) is appended to the topic
 * again, unchanged, so it stays parked; then the position is committed. So nothing is redriven
 * twice, and nothing parked is skipped for good. A crash between delivery and commit redelivers
 * that slice again (at-least-once).
 *
 * <p>It is a role ({@code lifecycle.Roles}). Every re-park is checked before the position moves: if
 * the topic refuses one, the request ends as failed, its letters' position is not committed (they
 * stay parked for the next request, which may deliver that slice again), and the redriver goes on
 * with the next request.
 */
public final class KafkaRedriver implements Agent {

  /** The consumer group whose position marks what has been redriven (or parked again). */
  public static final String GROUP = KafkaDeadLetterArchive.REDRIVE_GROUP;

  private static final Logger log = LoggerFactory.getLogger(KafkaRedriver.class);

  private final String bootstrap;
  private final String topic;
  private final RedriveTarget target;
  private final KafkaConsumer<byte[], byte[]> requests;

  /** Carries out requests for {@code topic}, delivering through {@code target} (the server). */
  public KafkaRedriver(String bootstrap, String topic, RedriveTarget target) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.target = target;
    KafkaDeadLetterStore.createTopic(bootstrap, KafkaRedriveRequests.topic(topic), 1, Map.of());
    this.requests =
        KafkaClients.consumer(
            bootstrap,
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                GROUP + "-requests",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"));
    requests.subscribe(List.of(KafkaRedriveRequests.topic(topic)));
  }

  @Override
  public String roleName() {
    return "kafka-redriver";
  }

  @Override
  public int doWork() {
    int handled = 0;
    for (ConsumerRecord<byte[], byte[]> request : requests.poll(Duration.ofMillis(200))) {
      carryOut(request);
      requests.commitSync(
          Map.of(
              new TopicPartition(request.topic(), request.partition()),
              new OffsetAndMetadata(request.offset() + 1)));
      handled++;
    }
    return handled;
  }

  /** One request; a request that fails is logged and ends: the next one is carried out. */
  private void carryOut(ConsumerRecord<byte[], byte[]> request) {
    try {
      KafkaRedriveRequests.Request asked = KafkaRedriveRequests.decode(request.value());
      redrive(asked.filter(), asked.ratePerSecond());
    } catch (RuntimeException e) {
      log.error(
          "Kafka redrive request {} failed; what it had not committed stays parked: {}",
          request.offset(),
          e.toString(),
          e);
    }
  }

  private void redrive(DeadLetterFilter filter, int rate) {
    long redriven = 0;
    long parkedAgain = 0;
    try (KafkaConsumer<byte[], byte[]> letters =
            KafkaClients.consumer(
                bootstrap,
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG,
                    GROUP,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                    Math.max(1, rate / 10)));
        KafkaProducer<byte[], byte[]> parker =
            new KafkaProducer<>(
                KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-redrive-park"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
      List<TopicPartition> partitions =
          letters.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      letters.assign(partitions);
      Map<TopicPartition, OffsetAndMetadata> committed =
          letters.committed(new java.util.HashSet<>(partitions));
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata position = committed.get(partition);
        if (position == null) {
          letters.seekToBeginning(List.of(partition));
        } else {
          letters.seek(partition, position.offset());
        }
      }
      Map<TopicPartition, Long> end = letters.endOffsets(partitions);
      long sliceNanos = TimeUnit.MILLISECONDS.toNanos(100);
      while (!Thread.currentThread().isInterrupted()
          && partitions.stream().anyMatch(p -> letters.position(p) < end.get(p))) {
        long started = System.nanoTime();
        RedriveSlice slice = new RedriveSlice(topic, filter);
        Map<TopicPartition, OffsetAndMetadata> reached = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : letters.poll(Duration.ofMillis(500))) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          if (record.offset() >= end.get(partition)) {
            continue;
          }
          reached.put(partition, new OffsetAndMetadata(record.offset() + 1));
          slice.add(record);
        }
        List<ParkedLetter> redeliveries = slice.redeliveries();
        redriven +=
            slice.delivered(
                redeliveries.isEmpty() ? List.of() : target.redeliver(redeliveries).join());
        // The position moves only past letters that are parked again.
        parkedAgain += slice.parkTheRest(parker);
        letters.commitSync(reached);
        long left = sliceNanos - (System.nanoTime() - started);
        if (left > 0 && !redeliveries.isEmpty()) {
          java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
      }
    }
    log.info(
        "Kafka redrive done: {} redriven, {} parked again (filter {})",
        redriven,
        parkedAgain,
        filter.encode());
  }

  @Override
  public void onClose() {
    requests.close();
  }
}
