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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where users are, shared through a compacted topic: a gateway writes {@code user -> gateway} when
 * a session starts and a tombstone when it ends (unless a newer session of the user has started
 * since), and reads every gateway's writes into a map. A notification for a user this gateway has
 * no session for is dead-lettered here only if no gateway holds the user and this gateway owns the
 * user ({@code user mod gateways == index}): exactly one gateway dead-letters an offline user.
 *
 * <p>Presence is leased: each gateway's reader writes a heartbeat ({@code @gateway -> time}) every
 * third of the lease, and a user counts as held by another gateway only while that gateway's last
 * heartbeat is younger than the lease. So a gateway killed without a goodbye ({@code kill -9})
 * holds its users for one lease at most; then their owners dead-letter them again. Notifications
 * for them within that lease are not dead-lettered by anyone: the bound of a silent death (see
 * docs/cluster.md). A gateway that starts again first reads the table to its end and forgets, with
 * tombstones, the users its previous life left behind; only then does it heartbeat, so that its
 * first heartbeat never renews the lease of users it no longer holds. Gateways' clocks must agree
 * to well within the lease.
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
  private final Map<String, Long> heardMillis = new ConcurrentHashMap<>();
  private final long leaseMillis;
  private final TopicPartition partition;
  private final long endAtStart;
  private boolean caughtUp;
  private long nextBeatMillis;

  /** The lease unless told otherwise. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);

  private static final String HEARTBEAT = "@";

  /** Gateway {@code index} of {@code gateways}, named {@code gatewayId}, with the default lease. */
  public PresenceTable(String bootstrap, String topic, String gatewayId, int gateways, int index) {
    this(bootstrap, topic, gatewayId, gateways, index, DEFAULT_LEASE);
  }

  /** Gateway {@code index} of {@code gateways}, named {@code gatewayId}, with {@code lease}. */
  public PresenceTable(
      String bootstrap, String topic, String gatewayId, int gateways, int index, Duration lease) {
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
    this.consumer = KafkaClients.consumer(bootstrap, Map.of());
    this.leaseMillis = lease.toMillis();
    this.partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    this.endAtStart = consumer.endOffsets(List.of(partition)).get(partition);
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
        long now = System.currentTimeMillis();
        // Not before the previous life is forgotten: a heartbeat would renew its leftover users.
        if (caughtUp && now >= nextBeatMillis) {
          producer.send(
              new ProducerRecord<>(
                  topic,
                  (HEARTBEAT + gatewayId).getBytes(StandardCharsets.UTF_8),
                  Long.toString(now).getBytes(StandardCharsets.US_ASCII)));
          nextBeatMillis = now + Math.max(1, leaseMillis / 3);
        }
        int count = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          read(record);
          count++;
        }
        if (!caughtUp && consumer.position(partition) >= endAtStart) {
          caughtUp = true;
          forgetPreviousLife();
        }
        return count;
      }

      @Override
      public void onClose() {
        consumer.close();
      }
    };
  }

  /** Users this gateway held before it (re)started are gone: tombstones tell the others. */
  private void forgetPreviousLife() {
    where.forEach(
        (user, at) -> {
          if (at.equals(gatewayId) && !localSessions.containsKey(user)) {
            where.remove(user, gatewayId);
            producer.send(new ProducerRecord<>(topic, key(user), null));
          }
        });
  }

  private void read(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() != null && record.key().length > 0 && record.key()[0] == '@') {
      heardMillis.merge(
          new String(record.key(), 1, record.key().length - 1, StandardCharsets.UTF_8),
          record.timestamp(),
          Math::max);
      return;
    }
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
    return Math.floorMod(user, gateways) == index && !heldElsewhere(user);
  }

  /** Whether a live gateway other than this one holds {@code user}. */
  private boolean heldElsewhere(int user) {
    String at = where.get(user);
    if (at == null || at.equals(gatewayId)) {
      return false; // this gateway has no session for the user, or the engine would have used it
    }
    Long heard = heardMillis.get(at);
    return heard != null && System.currentTimeMillis() - heard < leaseMillis;
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
