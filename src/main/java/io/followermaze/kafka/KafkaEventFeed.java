package io.followermaze.kafka;

import io.followermaze.engine.EngineCommand;
import io.followermaze.engine.EngineCommand.Checkpoint;
import io.followermaze.engine.EngineCommand.SourceChunk;
import io.followermaze.engine.SourceChunker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's input: reads the event log from its first record, so the follow graph is rebuilt from
 * the whole history, and hands the records to the engine as chunks. Records before the gateway's
 * committed position (its consumer group's offset) were delivered before a restart: they go as
 * replay chunks, which only rebuild the graph.
 *
 * <p>A position is committed only after the work: behind each poll's chunks goes a {@link
 * Checkpoint}, and the offset after them is committed once the engine has handled them and the dead
 * letters they raised are stored. A gateway killed in between restarts before them and handles them
 * again (at least once), never after them with their letters lost.
 *
 * <p>It is a role ({@code lifecycle.Roles}): each cycle polls once. A record it cannot read (no
 * value) is logged, counted and skipped; a failed commit is counted by its role and retried in the
 * next cycle: the feed never ends while the gateway serves.
 */
public final class KafkaEventFeed implements Agent {

  private static final Logger log = LoggerFactory.getLogger(KafkaEventFeed.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final TopicPartition partition;
  private final Consumer<EngineCommand> engine;
  private final SourceChunker chunker;
  private final long resumeAt;
  private final LongAdder skipped = new LongAdder();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private long next = -1;
  private long committed = -1;
  private boolean failedLogged;

  /** How long a stopping feed waits for the engine and the dead letters of what it handed over. */
  private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(2);

  /** The offset to commit once {@code stored} completes. */
  private record Pending(long offset, CompletableFuture<Void> stored) {}

  /** Starts reading {@code topic} for gateway {@code gatewayId}, submitting to {@code engine}. */
  public KafkaEventFeed(
      String bootstrap, String topic, String gatewayId, Consumer<EngineCommand> engine) {
    ClusterTopics.createEvents(bootstrap, topic);
    this.consumer =
        KafkaClients.consumer(
            bootstrap,
            Map.of(
                ConsumerConfig.GROUP_ID_CONFIG,
                "followermaze-gateway-" + gatewayId,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                4_096,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"));
    this.partition = new TopicPartition(topic, 0);
    this.engine = engine;
    this.chunker =
        new SourceChunker(
            "log " + topic + " (gateway " + gatewayId + ")", EventLogPublisher.RECORD_BYTES);
    consumer.assign(List.of(partition));
    OffsetAndMetadata committed = consumer.committed(java.util.Set.of(partition)).get(partition);
    this.resumeAt = committed == null ? 0 : committed.offset();
    consumer.seekToBeginning(List.of(partition));
    log.info(
        "gateway {} reads {} from the start; records before offset {} rebuild the graph only",
        gatewayId,
        topic,
        resumeAt);
  }

  @Override
  public String roleName() {
    return "event-feed";
  }

  @Override
  public int doWork() {
    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
    for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
      if (record.value() == null) {
        skipped.increment();
        log.error(
            "event log record at offset {} has no value; skipped ({} so far)",
            record.offset(),
            skipped.sum());
      } else {
        // One record holds whole lines (the sequencer never splits one), in sequence order.
        SourceChunk chunk =
            chunker.chunk(record.value(), record.value().length, record.offset() < resumeAt);
        if (chunk != null) {
          engine.accept(chunk);
        }
      }
      next = record.offset() + 1;
    }
    if (!records.isEmpty() && next > resumeAt) {
      CompletableFuture<Void> stored = new CompletableFuture<>();
      engine.accept(new Checkpoint(stored));
      pending.add(new Pending(next, stored));
    }
    commitWhatIsDone();
    return records.count();
  }

  /** Commits the furthest offset whose checkpoint, and every one before it, has completed. */
  private void commitWhatIsDone() {
    long done = -1;
    for (Pending first; (first = pending.peek()) != null && first.stored().isDone(); ) {
      if (first.stored().isCompletedExceptionally()) {
        if (!failedLogged) {
          failedLogged = true;
          log.error(
              "the dead letters of offsets from {} on could not be stored: their position is not"
                  + " committed, a restart handles them again",
              committed);
        }
        return; // never past letters that were lost
      }
      done = pending.poll().offset();
    }
    if (done > committed) {
      consumer.commitSync(Map.of(partition, new OffsetAndMetadata(done)));
      committed = done;
    }
  }

  /** Records skipped because they could not be read. */
  public long skipped() {
    return skipped.sum();
  }

  /** Commits what the engine finished meanwhile (briefly waited for), then closes. */
  @Override
  public void onClose() {
    try {
      Pending last = pending.peekLast();
      if (last != null) {
        last.stored().get(CLOSE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("stopping before the last positions were done: {} left", pending.size());
    }
    try {
      commitWhatIsDone();
    } catch (RuntimeException e) {
      log.warn("committing the last position failed: {}", e.toString());
    } finally {
      consumer.close();
    }
  }
}
