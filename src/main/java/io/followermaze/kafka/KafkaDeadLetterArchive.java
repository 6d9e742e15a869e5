package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.StoredDeadLetter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a dead-letter topic for the {@code followermaze dlq} commands: a plain consumer (no group,
 * nothing committed) that scans every partition from its beginning to the end it had when the scan
 * started. A letter's id is its partition, offset and place among the record's recipients, {@code
 * ((partition << 40 | offset) << 14 | index) + 1} (ids start at 1, as in the SQLite store, so
 * "after id 0" means from the start).
 */
public final class KafkaDeadLetterArchive implements AutoCloseable {

  private static final int OFFSET_BITS = 40;

  /**
   * The consumer group whose position marks what redrive has dealt with (see {@code
   * KafkaRedriver}).
   */
  public static final String REDRIVE_GROUP = "followermaze-redrive";

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String bootstrap;
  private final String topic;

  /** A reader of {@code topic} on {@code bootstrap}. */
  public KafkaDeadLetterArchive(String bootstrap, String topic) {
    this.consumer =
        KafkaClients.consumer(bootstrap, Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000));
    this.bootstrap = bootstrap;
    this.topic = topic;
  }

  private static final int INDEX_BITS = 14;

  /** The id of letter {@code index} of the record at {@code offset} in {@code partition}. */
  public static long id(int partition, long offset, int index) {
    return (((long) partition << OFFSET_BITS | offset) << INDEX_BITS | index) + 1;
  }

  /**
   * Calls {@code visitor} with every letter matching {@code filter}, partition by partition, in
   * offset order.
   */
  public void scan(DeadLetterFilter filter, Consumer<StoredDeadLetter> visitor) {
    scanFrom(Map.of(), filter, visitor);
  }

  /**
   * Like {@link #scan}, but only the letters after the redrive group's committed position: those a
   * redrive has not yet dealt with (redriven or parked again).
   */
  public void scanParked(DeadLetterFilter filter, Consumer<StoredDeadLetter> visitor) {
    Map<TopicPartition, Long> from = new java.util.HashMap<>();
    try (KafkaConsumer<byte[], byte[]> group =
        KafkaClients.consumer(bootstrap, Map.of(ConsumerConfig.GROUP_ID_CONFIG, REDRIVE_GROUP))) {
      java.util.Set<TopicPartition> partitions =
          new java.util.HashSet<>(
              group.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                  .map(info -> new TopicPartition(topic, info.partition()))
                  .toList());
      group
          .committed(partitions)
          .forEach(
              (partition, offset) -> {
                if (offset != null) {
                  from.put(partition, offset.offset());
                }
              });
    }
    scanFrom(from, filter, visitor);
  }

  private void scanFrom(
      Map<TopicPartition, Long> from, DeadLetterFilter filter, Consumer<StoredDeadLetter> visitor) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(info -> new TopicPartition(topic, info.partition()))
            .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
            .toList();
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    for (TopicPartition partition : partitions) {
      consumer.assign(List.of(partition));
      if (from.containsKey(partition)) {
        consumer.seek(partition, from.get(partition));
      } else {
        consumer.seekToBeginning(List.of(partition));
      }
      while (consumer.position(partition) < end.get(partition)) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() >= end.get(partition)) {
            break;
          }
          List<DeadLetter> letters = DeadLetterHeaders.toLetters(record.headers(), record.value());
          for (int index = 0; index < letters.size(); index++) {
            if (filter.matches(letters.get(index))) {
              visitor.accept(
                  new StoredDeadLetter(
                      id(record.partition(), record.offset(), index), letters.get(index), 0));
            }
          }
        }
      }
    }
  }

  /** Counts by reason, oldest and newest, as {@code dlq stats} shows them (no size on disk: -1). */
  public DeadLetterStats stats() {
    Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
    long[] bounds = {Long.MAX_VALUE, 0, 0};
    scan(
        DeadLetterFilter.ALL,
        stored -> {
          byReason.merge(stored.letter().reason(), 1L, Long::sum);
          bounds[0] = Math.min(bounds[0], stored.letter().timestampMillis());
          bounds[1] = Math.max(bounds[1], stored.letter().timestampMillis());
          bounds[2]++;
        });
    return new DeadLetterStats(
        byReason, bounds[2], bounds[2] == 0 ? 0 : bounds[0], bounds[1], -1, 0, 0);
  }

  /** The letter with {@code id}, if the topic still holds it. */
  public Optional<StoredDeadLetter> get(long id) {
    if (id < 1) {
      return Optional.empty();
    }
    long position = (id - 1) >>> INDEX_BITS;
    int index = (int) ((id - 1) & ((1 << INDEX_BITS) - 1));
    TopicPartition partition = new TopicPartition(topic, (int) (position >>> OFFSET_BITS));
    long offset = position & ((1L << OFFSET_BITS) - 1);
    consumer.assign(List.of(partition));
    consumer.seek(partition, offset);
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(5))) {
      if (record.offset() == offset) {
        List<DeadLetter> letters = DeadLetterHeaders.toLetters(record.headers(), record.value());
        return index < letters.size()
            ? Optional.of(new StoredDeadLetter(id, letters.get(index), 0))
            : Optional.empty();
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
