package io.followermaze.kafka;

import io.followermaze.engine.OrderedLog;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sequencer's output: appends the events, in sequence order, to the one-partition event log
 * with an idempotent, acks=all producer (which keeps the order through retries). Lines are packed
 * into records of up to {@value #RECORD_BYTES} bytes (one per engine batch at most), because a
 * Kafka record per 15-byte event would cost more than the event. Called on the engine thread; when
 * the producer's buffer is full the engine waits, and so does the source (a broker outage pauses
 * intake: the producer retries without a deadline).
 *
 * <p>Every send is checked: a record the broker refuses for good would leave a hole in the log that
 * gateways cannot see, so the next call throws {@link OrderedLog.Unwritable}, naming the lost
 * sequence numbers, and the sequencer stops (exit 70) instead of numbering on.
 */
public final class EventLogPublisher implements OrderedLog, AutoCloseable {

  static final int RECORD_BYTES = 64 * 1024;

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  private final long lastSequence;
  private final AtomicReference<OrderedLog.Unwritable> failure = new AtomicReference<>();

  /** A publisher to {@code topic} on {@code bootstrap}, creating the topic if needed. */
  public EventLogPublisher(String bootstrap, String topic) {
    ClusterTopics.createEvents(bootstrap, topic);
    this.lastSequence = readLastSequence(bootstrap, topic);
    this.producer =
        new KafkaProducer<>(
            KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-sequencer"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    this.topic = topic;
  }

  private final byte[] pending = new byte[RECORD_BYTES];
  private int pendingLength;

  /**
   * The sequence number of the log's last event when this publisher started (0 for an empty log).
   */
  public long lastSequence() {
    return lastSequence;
  }

  private static long readLastSequence(String bootstrap, String topic) {
    TopicPartition partition = new TopicPartition(topic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer =
        KafkaClients.consumer(
            bootstrap, java.util.Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
      consumer.assign(java.util.List.of(partition));
      long end = consumer.endOffsets(java.util.List.of(partition)).get(partition);
      if (end == 0) {
        return 0;
      }
      consumer.seek(partition, end - 1);
      for (int attempt = 0; attempt < 20; attempt++) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset() == end - 1) {
            return leadingNumberOfLastLine(record.value());
          }
        }
      }
      throw new IllegalStateException(
          "cannot read the last record of " + topic + " to resume the numbering");
    }
  }

  /** The sequence number of the last line in a record of LF-terminated event lines. */
  static long leadingNumberOfLastLine(byte[] lines) {
    int start = lines.length - 1;
    while (start > 0 && lines[start - 1] != '\n') {
      start--;
    }
    byte[] last = Arrays.copyOfRange(lines, start, lines.length);
    return EventParser.leadingSequence(last, last.length);
  }

  @Override
  public void append(Event event) {
    check();
    byte[] line = event.line();
    if (pendingLength + line.length > pending.length) {
      endOfBatch();
    }
    System.arraycopy(line, 0, pending, pendingLength, line.length);
    pendingLength += line.length;
  }

  @Override
  public void endOfBatch() {
    check();
    if (pendingLength > 0) {
      byte[] lines = Arrays.copyOf(pending, pendingLength);
      producer.send(
          new ProducerRecord<>(topic, 0, null, lines),
          (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(
                  null,
                  new OrderedLog.Unwritable(
                      "the event log "
                          + topic
                          + " refused the record with sequence numbers "
                          + EventParser.leadingSequence(lines, lines.length)
                          + ".."
                          + leadingNumberOfLastLine(lines)
                          + ": "
                          + error,
                      error));
            }
          });
      pendingLength = 0;
    }
  }

  private void check() {
    OrderedLog.Unwritable failed = failure.get();
    if (failed != null) {
      throw failed;
    }
  }

  /** Sends what is buffered and closes (after the engine has stopped). */
  @Override
  public void close() {
    if (failure.get() == null) {
      endOfBatch();
    }
    producer.flush();
    producer.close(Duration.ofSeconds(30));
  }
}
