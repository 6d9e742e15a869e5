package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.DeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters in a Kafka topic, stored once per event: value = the original bytes, key = the
 * recipient (or the sequence number when there is none) so one user's letters stay in one partition
 * and in order, and the letter's fields in headers ({@link DeadLetterHeaders}, after Kafka
 * Connect's {@code __connect.errors.*} convention). An event that missed several recipients is one
 * record per partition their keys map to, listing them in a header, not one record per recipient.
 *
 * <p>The producer is idempotent with {@code acks=all} and retries without a deadline, so a broker
 * outage makes {@link #append} wait (the collector's queue fills, intake pauses) instead of
 * failing, and its retries never duplicate a record. If an append does fail, the records of that
 * batch that were acknowledged are remembered and the collector's retry of the same batch sends
 * only the rest: nothing is lost and nothing is written twice.
 */
public final class KafkaDeadLetterStore implements DeadLetterStore {

  private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetterStore.class);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private List<DeadLetterBlock> unfinishedBatch;
  private BitSet acknowledged = new BitSet();

  private KafkaDeadLetterStore(KafkaProducer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * Connects to {@code bootstrap}, creating {@code topic} ({@code partitions}) if it does not
   * exist.
   */
  public static KafkaDeadLetterStore open(String bootstrap, String topic, int partitions) {
    createTopic(bootstrap, topic, partitions, Map.of());
    return new KafkaDeadLetterStore(
        new KafkaProducer<>(
            producerConfig(bootstrap, "followermaze-dlq"),
            new ByteArraySerializer(),
            new ByteArraySerializer()),
        topic);
  }

  /**
   * An idempotent, acks=all producer that retries without a deadline (an outage pauses, never
   * fails).
   */
  public static Map<String, Object> producerConfig(String bootstrap, String clientId) {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap,
        ProducerConfig.CLIENT_ID_CONFIG,
        clientId,
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        true,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
        Integer.MAX_VALUE,
        ProducerConfig.MAX_BLOCK_MS_CONFIG,
        Duration.ofMinutes(10).toMillis(),
        ProducerConfig.LINGER_MS_CONFIG,
        5,
        ProducerConfig.BATCH_SIZE_CONFIG,
        256 * 1024,
        ProducerConfig.COMPRESSION_TYPE_CONFIG,
        "lz4");
  }

  /** Creates {@code topic} unless it exists; waits up to a minute for the broker. */
  public static void createTopic(
      String bootstrap, String topic, int partitions, Map<String, String> config) {
    try (Admin admin =
        Admin.create(Map.of("bootstrap.servers", bootstrap, "default.api.timeout.ms", 60_000))) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) -1).configs(config)))
          .all()
          .get();
      log.info("created Kafka topic {} ({} partitions)", topic, partitions);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create Kafka topic " + topic + " on " + bootstrap + ": " + e.getCause(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topic " + topic, e);
    }
  }

  @Override
  public void append(List<DeadLetterBlock> blocks) throws Exception {
    if (blocks != unfinishedBatch) {
      acknowledged = new BitSet();
    }
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (DeadLetterBlock block : blocks) {
      for (DeadLetterBlock.Entry entry : block.entries()) {
        addRecords(entry, records);
      }
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
    Exception failure = null;
    for (int i = 0; i < records.size(); i++) {
      if (acknowledged.get(i)) {
        sent.add(null);
        continue;
      }
      try {
        sent.add(producer.send(records.get(i)));
      } catch (RuntimeException e) {
        sent.add(null);
        failure = failure == null ? e : failure;
      }
    }
    producer.flush();
    for (int i = 0; i < sent.size(); i++) {
      Future<RecordMetadata> future = sent.get(i);
      if (future == null) {
        continue;
      }
      try {
        future.get();
        acknowledged.set(i);
      } catch (ExecutionException e) {
        failure = failure == null ? (Exception) e.getCause() : failure;
      }
    }
    if (failure != null) {
      unfinishedBatch = blocks;
      throw failure;
    }
    unfinishedBatch = null;
  }

  /**
   * One record for an entry with at most one recipient; for more, one record per partition the
   * recipients' keys map to (as the default partitioner would place a record keyed by each), with
   * up to {@value #MAX_RECIPIENTS_PER_RECORD} recipients listed in a header: a user's letters stay
   * in one partition, and an event is sent once per partition, not once per recipient.
   */
  private void addRecords(
      DeadLetterBlock.Entry entry, List<ProducerRecord<byte[], byte[]>> records) {
    int[] recipients = entry.recipients();
    if (recipients.length <= 1) {
      records.add(record(entry.letter(recipients.length == 0 ? DeadLetter.NONE : recipients[0])));
      return;
    }
    int partitions = partitions();
    Map<Integer, List<Integer>> byPartition = new java.util.TreeMap<>();
    for (int recipient : recipients) {
      byPartition
          .computeIfAbsent(partitionOf(recipient, partitions), p -> new ArrayList<>())
          .add(recipient);
    }
    DeadLetter letter = entry.letter(DeadLetter.NONE);
    byPartition.forEach(
        (partition, users) -> {
          int[] sorted = users.stream().mapToInt(Integer::intValue).sorted().toArray();
          for (int from = 0; from < sorted.length; from += MAX_RECIPIENTS_PER_RECORD) {
            int[] chunk =
                java.util.Arrays.copyOfRange(
                    sorted, from, Math.min(sorted.length, from + MAX_RECIPIENTS_PER_RECORD));
            records.add(
                new ProducerRecord<>(
                    topic,
                    partition,
                    letter.timestampMillis(),
                    key(chunk[0]),
                    letter.payload(),
                    DeadLetterHeaders.of(letter, chunk)));
          }
        });
  }

  /** The most recipients one record lists (letter ids give a record 14 bits of index). */
  static final int MAX_RECIPIENTS_PER_RECORD = 10_000;

  private int partitionCount;

  private int partitions() {
    if (partitionCount == 0) {
      partitionCount = producer.partitionsFor(topic).size();
    }
    return partitionCount;
  }

  /** The partition the default partitioner gives a record keyed by {@code recipient}. */
  static int partitionOf(int recipient, int partitions) {
    return org.apache.kafka.common.utils.Utils.toPositive(
            org.apache.kafka.common.utils.Utils.murmur2(key(recipient)))
        % partitions;
  }

  private static byte[] key(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  private ProducerRecord<byte[], byte[]> record(DeadLetter letter) {
    long key = letter.recipient() != DeadLetter.NONE ? letter.recipient() : letter.sequence();
    return new ProducerRecord<>(
        topic,
        null,
        letter.timestampMillis(),
        key(key),
        letter.payload(),
        DeadLetterHeaders.of(letter));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(30));
  }
}
