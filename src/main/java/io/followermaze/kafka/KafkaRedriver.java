package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.Redeliverer;
import io.followermaze.dlq.Redelivery;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redrive for a dead-letter topic ({@code serve --dlq kafka}). Requests arrive on {@code
 * <topic>.redrive} ({@link #request}); for each, the redriver reads the dead-letter topic from the
 * consumer group {@value #GROUP}'s committed position to the end the topic had when the request
 * started: matching undeliverable letters are re-delivered to their users if connected; every other
 * letter read (not matching, not undeliverable, or its user offline) is appended to the topic
 * again, unchanged, so it stays parked; then the position is committed. So nothing is redriven
 * twice, and nothing parked is skipped for good. A crash between delivery and commit redelivers
 * that slice again (at-least-once).
 *
 * <p>It is a role ({@code lifecycle.Roles}). Every re-park is checked before the position moves: if
 * the topic refuses one, the request ends as failed, its letters' position is not committed (they
 * stay parked for the next request, which may deliver that slice again), and the redriver goes on
 * with the next request.
 */
public final class KafkaRedriver implements Agent {

  /** The consumer group whose position marks what has been redriven (or parked again). */
  public static final String GROUP = KafkaDeadLetterArchive.REDRIVE_GROUP;

  private static final Logger log = LoggerFactory.getLogger(KafkaRedriver.class);

  private final String bootstrap;
  private final String topic;
  private final Redeliverer target;
  private final KafkaConsumer<byte[], byte[]> requests;

  /** Carries out requests for {@code topic}, delivering through {@code target} (the server). */
  public KafkaRedriver(String bootstrap, String topic, Redeliverer target) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.target = target;
    KafkaDeadLetterStore.createTopic(bootstrap, requestTopic(topic), 1, Map.of());
    this.requests =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                GROUP + "-requests",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    requests.subscribe(List.of(requestTopic(topic)));
  }

  @Override
  public String roleName() {
    return "kafka-redriver";
  }

  /** The topic redrive requests for {@code topic} go to. */
  public static String requestTopic(String topic) {
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
    KafkaDeadLetterStore.createTopic(bootstrap, requestTopic(topic), 1, Map.of());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-redrive-request"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      String value = "rate=" + ratePerSecond + ";" + filter.encode();
      return producer
          .send(new ProducerRecord<>(requestTopic(topic), value.getBytes(StandardCharsets.UTF_8)))
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
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                GROUP + "-requests"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(requestTopic(topic), 0);
      OffsetAndMetadata committed = group.committed(java.util.Set.of(partition)).get(partition);
      return committed != null && committed.offset() > id;
    }
  }

  @Override
  public int doWork() {
    int handled = 0;
    for (ConsumerRecord<byte[], byte[]> request : requests.poll(Duration.ofMillis(200))) {
      carryOut(request);
      requests.commitSync(
          Map.of(
              new TopicPartition(request.topic(), request.partition()),
              new OffsetAndMetadata(request.offset() + 1)));
      handled++;
    }
    return handled;
  }

  /** One request; a request that fails is logged and ends: the next one is carried out. */
  private void carryOut(ConsumerRecord<byte[], byte[]> request) {
    try {
      String text = new String(request.value(), StandardCharsets.UTF_8);
      int rate = Integer.parseInt(text.substring("rate=".length(), text.indexOf(';')));
      DeadLetterFilter filter = DeadLetterFilter.decode(text.substring(text.indexOf(';') + 1));
      redrive(filter, rate);
    } catch (RuntimeException e) {
      log.error(
          "Kafka redrive request {} failed; what it had not committed stays parked: {}",
          request.offset(),
          e.toString(),
          e);
    }
  }

  private void redrive(DeadLetterFilter filter, int rate) {
    long redriven = 0;
    long parkedAgain = 0;
    try (KafkaConsumer<byte[], byte[]> letters =
            new KafkaConsumer<>(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG,
                    GROUP,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                    Math.max(1, rate / 10)),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> parker =
            new KafkaProducer<>(
                KafkaDeadLetterStore.producerConfig(bootstrap, "followermaze-redrive-park"),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
      List<TopicPartition> partitions =
          letters.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      letters.assign(partitions);
      Map<TopicPartition, OffsetAndMetadata> committed =
          letters.committed(new java.util.HashSet<>(partitions));
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata position = committed.get(partition);
        if (position == null) {
          letters.seekToBeginning(List.of(partition));
        } else {
          letters.seek(partition, position.offset());
        }
      }
      Map<TopicPartition, Long> end = letters.endOffsets(partitions);
      long sliceNanos = TimeUnit.MILLISECONDS.toNanos(100);
      while (!Thread.currentThread().isInterrupted()
          && partitions.stream().anyMatch(p -> letters.position(p) < end.get(p))) {
        long started = System.nanoTime();
        List<Redelivery> slice = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> sliceRecords = new ArrayList<>();
        List<List<DeadLetter>> recordLetters = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> reached = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : letters.poll(Duration.ofMillis(500))) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          if (record.offset() >= end.get(partition)) {
            continue;
          }
          reached.put(partition, new OffsetAndMetadata(record.offset() + 1));
          List<DeadLetter> held = DeadLetterHeaders.toLetters(record.headers(), record.value());
          int owner = sliceRecords.size();
          sliceRecords.add(record);
          recordLetters.add(held);
          for (DeadLetter letter : held) {
            if (letter.reason().category() == Reason.Category.UNDELIVERABLE
                && filter.matches(letter)
                && EventParser.parse(letter.payload()) instanceof Event event) {
              slice.add(new Redelivery(slice.size(), letter.recipient(), event));
              owners.add(owner);
            }
          }
        }
        java.util.Set<Long> queued =
            new java.util.HashSet<>(slice.isEmpty() ? List.of() : target.redeliver(slice).join());
        List<java.util.Set<Integer>> delivered = new ArrayList<>();
        sliceRecords.forEach(r -> delivered.add(new java.util.HashSet<>()));
        for (Redelivery redelivery : slice) {
          if (queued.contains(redelivery.id())) {
            delivered.get(owners.get((int) redelivery.id())).add(redelivery.recipient());
            redriven++;
          }
        }
        List<java.util.concurrent.Future<?>> parks = new ArrayList<>();
        for (int i = 0; i < sliceRecords.size(); i++) {
          parkedAgain +=
              parkRest(parker, sliceRecords.get(i), recordLetters.get(i), delivered.get(i), parks);
        }
        parker.flush();
        awaitParked(parks); // the position moves only past letters that are parked again
        letters.commitSync(reached);
        long left = sliceNanos - (System.nanoTime() - started);
        if (left > 0 && !slice.isEmpty()) {
          java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
      }
    }
    log.info(
        "Kafka redrive done: {} redriven, {} parked again (filter {})",
        redriven,
        parkedAgain,
        filter.encode());
  }

  /**
   * Appends what of {@code record} was not redriven to the topic again, so it stays parked: the
   * record unchanged when none of its letters went, else a record listing the recipients left.
   * Returns how many letters were parked again.
   */
  private int parkRest(
      KafkaProducer<byte[], byte[]> parker,
      ConsumerRecord<byte[], byte[]> record,
      List<DeadLetter> held,
      java.util.Set<Integer> delivered,
      List<java.util.concurrent.Future<?>> parks) {
    if (delivered.isEmpty()) {
      parks.add(parkAgain(parker, record, record.key(), record.headers()));
      return held.size();
    }
    int[] rest =
        held.stream().mapToInt(DeadLetter::recipient).filter(r -> !delivered.contains(r)).toArray();
    if (rest.length == 0) {
      return 0;
    }
    DeadLetter first = held.getFirst();
    DeadLetter one =
        new DeadLetter(
            first.reason(),
            first.payload(),
            first.payloadLength(),
            first.sequence(),
            rest[0],
            first.type(),
            first.timestampMillis(),
            first.origin(),
            first.attempt(),
            first.error());
    parks.add(
        parkAgain(
            parker,
            record,
            Integer.toString(rest[0]).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            rest.length == 1 ? DeadLetterHeaders.of(one) : DeadLetterHeaders.of(one, rest)));
    return rest.length;
  }

  /**
   * Appends {@code record}'s value again, to its partition, with {@code key} and {@code headers}.
   */
  private java.util.concurrent.Future<?> parkAgain(
      KafkaProducer<byte[], byte[]> parker,
      ConsumerRecord<byte[], byte[]> record,
      byte[] key,
      Iterable<org.apache.kafka.common.header.Header> headers) {
    return parker.send(
        new ProducerRecord<>(
            topic, record.partition(), record.timestamp(), key, record.value(), headers));
  }

  private static void awaitParked(List<java.util.concurrent.Future<?>> parks) {
    for (java.util.concurrent.Future<?> park : parks) {
      try {
        park.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while parking letters again", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(
            "the dead-letter topic refused a letter parked again: " + e.getCause(), e.getCause());
      }
    }
  }

  @Override
  public void onClose() {
    requests.close();
  }
}
