package io.followermaze.kafka;

import io.followermaze.server.ClientPresence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;
import org.agrona.concurrent.Agent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where users are, shared through a compacted topic: a gateway writes {@code user -> gateway} when
 * a session starts and a tombstone when it ends (unless a newer session of the user has started
 * since), and reads every gateway's writes into a map. A notification for a user this gateway has
 * no session for is dead-lettered here only if no gateway holds the user and this gateway owns the
 * user ({@code user mod gateways == index}): exactly one gateway dead-letters an offline user.
 */
public final class PresenceTable implements ClientPresence, IntPredicate, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PresenceTable.class);

  private final String gatewayId;
  private final int gateways;
  private final int index;
  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<Integer, String> where = new ConcurrentHashMap<>();
  private final Map<Integer, Object> localSessions = new ConcurrentHashMap<>();
  private final LongAdder skipped = new LongAdder();

  /** Gateway {@code index} of {@code gateways}, named {@code gatewayId}. */
  public PresenceTable(String bootstrap, String topic, String gatewayId, int gateways, int index) {
    if (gateways < 1 || index < 0 || index >= gateways) {
      throw new IllegalArgumentException(
          "--gateway-index must be in 0.." + (gateways - 1) + ", was " + index);
    }
    ClusterTopics.createPresence(bootstrap, topic);
    this.gatewayId = gatewayId;
    this.gateways = gateways;
    this.index = index;
    this.topic = topic;
    this.producer =
        new KafkaProducer<>(
            KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-presence-" + gatewayId),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    this.consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
  }

  /**
   * The role that keeps the table current; start it with the gateway's roles (it closes its
   * consumer when stopped). A record whose key is not a user id is logged, counted and skipped.
   */
  public Agent reader() {
    return new Agent() {
      @Override
      public String roleName() {
        return "presence";
      }

      @Override
      public int doWork() {
        int count = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          read(record);
          count++;
        }
        return count;
      }

      @Override
      public void onClose() {
        consumer.close();
      }
    };
  }

  private void read(ConsumerRecord<byte[], byte[]> record) {
    Integer user = userOf(record.key());
    if (user == null) {
      skipped.increment();
      log.error(
          "presence record at offset {} has no user id as its key; skipped ({} so far)",
          record.offset(),
          skipped.sum());
    } else if (record.value() == null) {
      where.remove(user);
    } else {
      where.put(user, new String(record.value(), StandardCharsets.UTF_8));
    }
  }

  private static Integer userOf(byte[] key) {
    if (key == null) {
      return null;
    }
    try {
      return Integer.parseInt(new String(key, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Records skipped because they could not be read. */
  public long skipped() {
    return skipped.sum();
  }

  @Override
  public void connected(int user, Object session) {
    localSessions.put(user, session);
    where.put(user, gatewayId);
    producer.send(
        new ProducerRecord<>(topic, key(user), gatewayId.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void disconnected(int user, Object session) {
    if (localSessions.remove(user, session)) {
      where.remove(user, gatewayId);
      producer.send(new ProducerRecord<>(topic, key(user), null));
    }
  }

  /** Whether this gateway dead-letters a notification for {@code user}, who has no session here. */
  @Override
  public boolean test(int user) {
    return !where.containsKey(user) && Math.floorMod(user, gateways) == index;
  }

  private static byte[] key(int user) {
    return Integer.toString(user).getBytes(StandardCharsets.US_ASCII);
  }

  /** Closes the producer; the reader's consumer closes with its role. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
