package io.followermaze.kafka;

import io.followermaze.engine.EngineCommand;
import io.followermaze.engine.EngineCommand.SourceChunk;
import io.followermaze.engine.SourceChunker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's input: reads the event log from its first record, so the follow graph is rebuilt from
 * the whole history, and hands the records to the engine as chunks. Records before the gateway's
 * committed position (its consumer group's offset) were delivered before a restart: they go as
 * replay chunks, which only rebuild the graph. After each chunk the position is committed, so a
 * restarted gateway resumes where it stopped, without the sequencer noticing.
 */
public final class KafkaEventFeed implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KafkaEventFeed.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final TopicPartition partition;
  private final Consumer<EngineCommand> engine;
  private final SourceChunker chunker;
  private final Thread thread;
  private volatile boolean closing;

  /** Starts reading {@code topic} for gateway {@code gatewayId}, submitting to {@code engine}. */
  public KafkaEventFeed(
      String bootstrap, String topic, String gatewayId, Consumer<EngineCommand> engine) {
    ClusterTopics.createEvents(bootstrap, topic);
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "followermaze-gateway-" + gatewayId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                4_096,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.partition = new TopicPartition(topic, 0);
    this.engine = engine;
    this.chunker =
        new SourceChunker(
            "log " + topic + " (gateway " + gatewayId + ")", EventLogPublisher.RECORD_BYTES);
    consumer.assign(List.of(partition));
    OffsetAndMetadata committed = consumer.committed(java.util.Set.of(partition)).get(partition);
    long resumeAt = committed == null ? 0 : committed.offset();
    consumer.seekToBeginning(List.of(partition));
    log.info(
        "gateway {} reads {} from the start; records before offset {} rebuild the graph only",
        gatewayId,
        topic,
        resumeAt);
    this.thread = Thread.ofPlatform().name("event-feed").start(() -> run(resumeAt));
  }

  private void run(long resumeAt) {
    long next = -1;
    try {
      while (!closing) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (records.isEmpty()) {
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
          // One record holds whole lines (the sequencer never splits one), in sequence order.
          SourceChunk chunk =
              chunker.chunk(record.value(), record.value().length, record.offset() < resumeAt);
          if (chunk != null) {
            engine.accept(chunk);
          }
          next = record.offset() + 1;
        }
        if (next > resumeAt) {
          consumer.commitSync(Map.of(partition, new OffsetAndMetadata(next)));
        }
      }
    } catch (WakeupException e) {
      // Closing.
    } catch (RuntimeException e) {
      log.error("the event feed stopped: {}", e.toString(), e);
    } finally {
      consumer.close();
    }
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    join(thread);
  }

  private static void join(Thread thread) {
    try {
      thread.join(Duration.ofSeconds(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
