package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.StoredDeadLetter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link DlqOperations} on a dead-letter topic. Reads scan the topic ({@link
 * KafkaDeadLetterArchive}; ids are partition and offset), so they cost a pass over it; a topic
 * cannot delete by filter (its retention does), so {@link #purge} refuses; redrive requests go to
 * the serving node's {@link KafkaRedriver}. Synchronized: a Kafka consumer is single-threaded.
 */
public final class KafkaDlqOperations implements DlqOperations {

  private final String bootstrap;
  private final String topic;
  private final KafkaDeadLetterArchive archive;

  /** Operations on {@code topic} at {@code bootstrap}. */
  public KafkaDlqOperations(String bootstrap, String topic) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.archive = new KafkaDeadLetterArchive(bootstrap, topic);
  }

  @Override
  public synchronized DeadLetterStats stats() {
    return archive.stats();
  }

  @Override
  public synchronized Page list(DeadLetterFilter filter, long afterId, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_PAGE));
    List<StoredDeadLetter> letters = new ArrayList<>();
    archive.scan(
        filter,
        stored -> {
          if (stored.id() > afterId && letters.size() < size) {
            letters.add(stored);
          }
        });
    return new Page(letters, letters.size() == size ? letters.getLast().id() : 0);
  }

  @Override
  public synchronized List<StoredDeadLetter> newest(DeadLetterFilter filter, int count) {
    ArrayDeque<StoredDeadLetter> last = new ArrayDeque<>();
    archive.scan(
        filter,
        stored -> {
          last.addLast(stored);
          if (last.size() > count) {
            last.removeFirst();
          }
        });
    return List.copyOf(last);
  }

  @Override
  public synchronized long lastId() {
    long[] last = {0};
    archive.scan(DeadLetterFilter.ALL, stored -> last[0] = Math.max(last[0], stored.id()));
    return last[0];
  }

  @Override
  public synchronized Optional<StoredDeadLetter> get(long id) {
    return archive.get(id);
  }

  @Override
  public synchronized long count(DeadLetterFilter filter) {
    long[] count = {0};
    archive.scan(filter, stored -> count[0]++);
    return count[0];
  }

  @Override
  public long purge(DeadLetterFilter filter) {
    throw new IllegalArgumentException(
        "a Kafka topic cannot delete by filter; its retention (retention.ms) removes old letters");
  }

  @Override
  public synchronized DryRun dryRun(DeadLetterFilter filter, int sampleSize) {
    List<StoredDeadLetter> sample = new ArrayList<>();
    long[] matching = {0};
    archive.scanParked(
        filter,
        stored -> {
          if (stored.letter().reason().category() == Reason.Category.UNDELIVERABLE) {
            matching[0]++;
            if (sample.size() < sampleSize) {
              sample.add(stored);
            }
          }
        });
    return new DryRun(matching[0], sample);
  }

  @Override
  public long requestRedrive(DeadLetterFilter filter, int ratePerSecond) {
    return KafkaRedriveRequests.request(bootstrap, topic, filter, ratePerSecond);
  }

  /** Status only ("pending" or "done"); the counts are in the serving node's log. */
  @Override
  public boolean resumeRedrive(long id) {
    throw new IllegalArgumentException(
        "a redrive on a topic resumes by itself: its consumer group keeps the position");
  }

  @Override
  public Optional<RedriveRequest> redrive(long id) {
    boolean done = KafkaRedriveRequests.done(bootstrap, topic, id);
    return Optional.of(
        new RedriveRequest(
            id,
            DeadLetterFilter.ALL,
            0,
            done ? "done" : "pending",
            0,
            0,
            ParkedCursor.START,
            null));
  }

  @Override
  public String describe() {
    return "Kafka topic " + topic + " on " + bootstrap;
  }

  @Override
  public synchronized void close() {
    archive.close();
  }
}
