package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One slice of a Kafka redrive: the dead-letter records read in one poll, the letters among them
 * that match the request (undeliverable ones, whose event parses), which of those the server
 * queued, and parking the rest again: every record goes back to the topic unchanged when none of
 * its letters went, else as a record listing the recipients left. Parking is checked before the
 * redriver moves its position past the slice.
 */
final class RedriveSlice {

  private final String topic;
  private final DeadLetterFilter filter;
  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
  private final List<List<DeadLetter>> recordLetters = new ArrayList<>();
  private final List<Set<Integer>> delivered = new ArrayList<>();
  private final List<ParkedLetter> redeliveries = new ArrayList<>();
  private final List<Integer> owners = new ArrayList<>();

  RedriveSlice(String topic, DeadLetterFilter filter) {
    this.topic = topic;
    this.filter = filter;
  }

  /** Adds a record read from the topic, noting its letters that match the request. */
  void add(ConsumerRecord<byte[], byte[]> record) {
    List<DeadLetter> held = DeadLetterHeaders.toLetters(record.headers(), record.value());
    int owner = records.size();
    records.add(record);
    recordLetters.add(held);
    delivered.add(new HashSet<>());
    for (DeadLetter letter : held) {
      if (letter.reason().category() == Reason.Category.UNDELIVERABLE
          && filter.matches(letter)
          && EventParser.parse(letter.payload()) instanceof Event event) {
        redeliveries.add(new ParkedLetter(redeliveries.size(), letter.recipient(), event));
        owners.add(owner);
      }
    }
  }

  /** The matching letters, each with its index in this slice as its id. */
  List<ParkedLetter> redeliveries() {
    return redeliveries;
  }

  /** Notes which redeliveries the server queued; returns how many. */
  int delivered(List<Long> queuedIds) {
    for (long id : queuedIds) {
      ParkedLetter redelivery = redeliveries.get((int) id);
      delivered.get(owners.get((int) id)).add(redelivery.recipient());
    }
    return queuedIds.size();
  }

  /**
   * Appends what was not redriven to the topic again and waits until the topic has taken all of it
   * (throws {@link IllegalStateException} if it refused any); returns how many letters were parked.
   */
  long parkTheRest(KafkaProducer<byte[], byte[]> parker) {
    long parked = 0;
    List<Future<?>> parks = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      parked += parkRest(parker, records.get(i), recordLetters.get(i), delivered.get(i), parks);
    }
    parker.flush();
    for (Future<?> park : parks) {
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
    return parked;
  }

  private int parkRest(
      KafkaProducer<byte[], byte[]> parker,
      ConsumerRecord<byte[], byte[]> record,
      List<DeadLetter> held,
      Set<Integer> went,
      List<Future<?>> parks) {
    if (went.isEmpty()) {
      parks.add(parkAgain(parker, record, record.key(), record.headers()));
      return held.size();
    }
    int[] rest =
        held.stream().mapToInt(DeadLetter::recipient).filter(r -> !went.contains(r)).toArray();
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
            Integer.toString(rest[0]).getBytes(StandardCharsets.US_ASCII),
            rest.length == 1 ? DeadLetterHeaders.of(one) : DeadLetterHeaders.of(one, rest)));
    return rest.length;
  }

  /**
   * Appends {@code record}'s value again, to its partition, with {@code key} and {@code headers}.
   */
  private Future<?> parkAgain(
      KafkaProducer<byte[], byte[]> parker,
      ConsumerRecord<byte[], byte[]> record,
      byte[] key,
      Iterable<Header> headers) {
    return parker.send(
        new ProducerRecord<>(
            topic, record.partition(), record.timestamp(), key, record.value(), headers));
  }
}
