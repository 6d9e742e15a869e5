package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetterFilter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Redrive requests for a dead-letter topic: records on {@code <topic>.redrive} (one partition),
 * each {@code rate=N;<filter>}, whose offset is the request's id; a request is done once the
 * redriver's request group has committed past it.
 */
public final class KafkaRedriveRequests {

  private KafkaRedriveRequests() {}

  /** A decoded request. */
  record Request(DeadLetterFilter filter, int ratePerSecond) {}

  /** Decodes a request record's value. */
  static Request decode(byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    int rate = Integer.parseInt(text.substring("rate=".length(), text.indexOf(';')));
    return new Request(DeadLetterFilter.decode(text.substring(text.indexOf(';') + 1)), rate);
  }

  /** The topic redrive requests for {@code topic} go to. */
  public static String topic(String topic) {
    return topic + ".redrive";
  }

  /**
   * Asks the running server to redrive what matches {@code filter}, at most {@code ratePerSecond};
   * returns the request's id (its offset in the request topic).
   */
  public static long request(
      String bootstrap, String topic, DeadLetterFilter filter, int ratePerSecond) {
    if (ratePerSecond < 1) {
      throw new IllegalArgumentException(
          "rate must be at least 1 per second, was " + ratePerSecond);
    }
    KafkaDeadLetterStore.createTopic(bootstrap, topic(topic), 1, Map.of());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-redrive-request"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      String value = "rate=" + ratePerSecond + ";" + filter.encode();
      return producer
          .send(new ProducerRecord<>(topic(topic), value.getBytes(StandardCharsets.UTF_8)))
          .get(1, TimeUnit.MINUTES)
          .offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "cannot record the redrive request on " + bootstrap + ": " + e, e);
    }
  }

  /** Whether request {@code id} has been carried out (the request group has committed past it). */
  public static boolean done(String bootstrap, String topic, long id) {
    try (KafkaConsumer<byte[], byte[]> group =
        KafkaClients.consumer(
            bootstrap, Map.of(ConsumerConfig.GROUP_ID_CONFIG, KafkaRedriver.GROUP + "-requests"))) {
      TopicPartition partition = new TopicPartition(topic(topic), 0);
      OffsetAndMetadata committed = group.committed(java.util.Set.of(partition)).get(partition);
      return committed != null && committed.offset() > id;
    }
  }
}
