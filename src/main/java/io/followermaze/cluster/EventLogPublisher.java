package io.followermaze.cluster;

import io.followermaze.engine.OrderedLog;
import io.followermaze.protocol.Event;
import io.followermaze.storage.KafkaDeadLetterStore;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sequencer's output: appends the events, in sequence order, to the one-partition event log
 * with an idempotent, acks=all producer (which keeps the order through retries). Lines are packed
 * into records of up to {@value #RECORD_BYTES} bytes (one per engine batch at most), because a
 * Kafka record per 15-byte event would cost more than the event. Called on the engine thread; when
 * the producer's buffer is full the engine waits, and so does the source.
 */
public final class EventLogPublisher implements OrderedLog, AutoCloseable {

  static final int RECORD_BYTES = 64 * 1024;


  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  /** A publisher to {@code topic} on {@code bootstrap}, creating the topic if needed. */
  public EventLogPublisher(String bootstrap, String topic) {
    ClusterTopics.createEvents(bootstrap, topic);
    this.producer = new KafkaProducer<>(KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-sequencer"),
        new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  private final byte[] pending = new byte[RECORD_BYTES];
  private int pendingLength;

  @Override
  public void append(Event event) {
    byte[] line = event.line();
    if (pendingLength + line.length > pending.length) {
      endOfBatch();
    }
    System.arraycopy(line, 0, pending, pendingLength, line.length);
    pendingLength += line.length;
  }

  @Override
  public void endOfBatch() {
    if (pendingLength > 0) {
      producer.send(new ProducerRecord<>(topic, 0, null, java.util.Arrays.copyOf(pending, pendingLength)));
      pendingLength = 0;
    }
  }

  /** Sends what is buffered and closes (after the engine has stopped). */
  @Override
  public void close() {
    endOfBatch();
    producer.flush();
    producer.close(Duration.ofSeconds(30));
  }
}
