package io.followermaze.kafka;

import io.followermaze.server.ClientPresence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where users are, shared through a compacted topic: a gateway writes {@code user -> gateway} when
 * a session starts and a tombstone when it ends (unless a newer session of the user has started
 * since), and reads every gateway's writes into a map. A notification for a user this gateway has
 * no session for is dead-lettered here only if no gateway holds the user and this gateway owns the
 * user ({@code user mod gateways == index}): exactly one gateway dead-letters an offline user.
 */
public final class PresenceTable implements ClientPresence, IntPredicate, AutoCloseable {

  private final String gatewayId;
  private final int gateways;
  private final int index;
  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<Integer, String> where = new ConcurrentHashMap<>();
  private final Map<Integer, Object> localSessions = new ConcurrentHashMap<>();
  private final Thread reader;
  private volatile boolean closing;

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
    this.reader = Thread.ofPlatform().name("presence").daemon().start(this::read);
  }

  private void read() {
    try {
      while (!closing) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          int user = Integer.parseInt(new String(record.key(), StandardCharsets.US_ASCII));
          if (record.value() == null) {
            where.remove(user);
          } else {
            where.put(user, new String(record.value(), StandardCharsets.UTF_8));
          }
        }
      }
    } catch (WakeupException e) {
      // Closing.
    } finally {
      consumer.close();
    }
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

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    join(reader);
    producer.close(Duration.ofSeconds(10));
  }

  private static void join(Thread thread) {
    try {
      thread.join(Duration.ofSeconds(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
