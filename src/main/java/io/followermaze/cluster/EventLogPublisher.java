package io.followermaze.cluster;

import io.followermaze.protocol.Event;
import io.followermaze.storage.KafkaDeadLetterStore;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sequencer's output: appends each event, in sequence order, to the one-partition event log
 * with an idempotent, acks=all producer (which keeps the order through retries). Called on the
 * engine thread; when the producer's buffer is full the engine waits, and so does the source.
 */
public final class EventLogPublisher implements Consumer<Event>, AutoCloseable {

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  /** A publisher to {@code topic} on {@code bootstrap}, creating the topic if needed. */
  public EventLogPublisher(String bootstrap, String topic) {
    ClusterTopics.createEvents(bootstrap, topic);
    this.producer = new KafkaProducer<>(KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-sequencer"),
        new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  @Override
  public void accept(Event event) {
    producer.send(new ProducerRecord<>(topic, 0, null, event.line()));
  }

  /** Sends what is buffered and closes. */
  @Override
  public void close() {
    producer.flush();
    producer.close(Duration.ofSeconds(30));
  }
}
