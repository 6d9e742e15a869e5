package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.VarintBuffer;
import io.followermaze.dlq.VarintReader;
import io.followermaze.protocol.EventType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * A dead letter's fields as Kafka record headers, named like Kafka Connect's {@code
 * __connect.errors.*} headers: {@code __maze.errors.reason}, {@code .sequence}, {@code .recipient},
 * {@code .type}, {@code .timestamp}, {@code .source}, {@code .attempt}, {@code .payload.length} and
 * {@code .exception.message}; values are UTF-8 text. The record value is the original bytes.
 *
 * <p>Store once, point many: an event that missed several recipients is one record whose {@code
 * __maze.errors.recipients} header lists them (binary: each recipient as an unsigned LEB128 varint,
 * ascending, as the difference to the one before, the first as is) instead of {@code .recipient}. A
 * consumer expands such a record into one letter per recipient ({@link #toLetters}).
 */
public final class DeadLetterHeaders {

  static final String PREFIX = "__maze.errors.";
  static final String REASON = PREFIX + "reason";
  static final String SEQUENCE = PREFIX + "sequence";
  static final String RECIPIENT = PREFIX + "recipient";
  static final String TYPE = PREFIX + "type";
  static final String TIMESTAMP = PREFIX + "timestamp";
  static final String SOURCE = PREFIX + "source";
  static final String ATTEMPT = PREFIX + "attempt";
  static final String PAYLOAD_LENGTH = PREFIX + "payload.length";
  static final String MESSAGE = PREFIX + "exception.message";
  static final String RECIPIENTS = PREFIX + "recipients";

  private DeadLetterHeaders() {}

  /**
   * The headers for {@code letter}; absent values (no sequence, no recipient, no type) are left
   * out.
   */
  public static List<Header> of(DeadLetter letter) {
    List<Header> headers = new ArrayList<>(9);
    add(headers, REASON, letter.reason().name());
    if (letter.sequence() != DeadLetter.NONE) {
      add(headers, SEQUENCE, Long.toString(letter.sequence()));
    }
    if (letter.recipient() != DeadLetter.NONE) {
      add(headers, RECIPIENT, Integer.toString(letter.recipient()));
    }
    if (letter.type() != null) {
      add(headers, TYPE, String.valueOf(letter.type().code()));
    }
    add(headers, TIMESTAMP, Long.toString(letter.timestampMillis()));
    add(headers, SOURCE, letter.origin());
    add(headers, ATTEMPT, Integer.toString(letter.attempt()));
    add(headers, PAYLOAD_LENGTH, Long.toString(letter.payloadLength()));
    if (letter.error() != null) {
      add(headers, MESSAGE, letter.error());
    }
    return headers;
  }

  /**
   * The headers of a record for {@code letter}'s event and context, sent to {@code recipients}
   * (ascending).
   */
  public static List<Header> of(DeadLetter letter, int[] recipients) {
    List<Header> headers =
        of(
            new DeadLetter(
                letter.reason(),
                letter.payload(),
                letter.payloadLength(),
                letter.sequence(),
                DeadLetter.NONE,
                letter.type(),
                letter.timestampMillis(),
                letter.origin(),
                letter.attempt(),
                letter.error()));
    VarintBuffer encoded = new VarintBuffer(recipients.length * 2 + 8);
    long previous = 0;
    for (int recipient : recipients) {
      encoded.writeVarint(recipient - previous);
      previous = recipient;
    }
    headers.add(new RecordHeader(RECIPIENTS, encoded.toByteArray()));
    return headers;
  }

  /**
   * The recipients listed in {@code headers} (ascending), or null when the record is for one
   * letter.
   */
  public static int[] recipients(Headers headers) {
    Header header = headers.lastHeader(RECIPIENTS);
    if (header == null) {
      return null;
    }
    VarintReader in = new VarintReader("recipients header", header.value());
    int[] recipients = new int[Math.min(header.value().length, 1 << 20)];
    int count = 0;
    long value = 0;
    while (in.hasMore()) {
      value += in.readVarint();
      if (value > Integer.MAX_VALUE || count == recipients.length) {
        throw in.damaged("a recipient out of range or too many recipients");
      }
      recipients[count++] = (int) value;
    }
    return java.util.Arrays.copyOf(recipients, count);
  }

  /** Every letter a record holds: one, or one per recipient of a record that lists them. */
  public static List<DeadLetter> toLetters(Headers headers, byte[] value) {
    DeadLetter letter = toLetter(headers, value);
    int[] recipients = recipients(headers);
    if (recipients == null) {
      return List.of(letter);
    }
    List<DeadLetter> letters = new ArrayList<>(recipients.length);
    for (int recipient : recipients) {
      letters.add(
          new DeadLetter(
              letter.reason(),
              letter.payload(),
              letter.payloadLength(),
              letter.sequence(),
              recipient,
              letter.type(),
              letter.timestampMillis(),
              letter.origin(),
              letter.attempt(),
              letter.error()));
    }
    return letters;
  }

  /**
   * The letter a record with {@code headers} and {@code value} holds (its first, for a record that
   * lists recipients).
   */
  public static DeadLetter toLetter(Headers headers, byte[] value) {
    String type = text(headers, TYPE, null);
    return new DeadLetter(
        Reason.valueOf(text(headers, REASON, "EMPTY_LINE")),
        value == null ? new byte[0] : value,
        Long.parseLong(
            text(headers, PAYLOAD_LENGTH, Integer.toString(value == null ? 0 : value.length))),
        Long.parseLong(text(headers, SEQUENCE, "-1")),
        Integer.parseInt(text(headers, RECIPIENT, "-1")),
        type == null || type.isEmpty() ? null : EventType.ofCode(type.charAt(0)),
        Long.parseLong(text(headers, TIMESTAMP, "0")),
        text(headers, SOURCE, "?"),
        Integer.parseInt(text(headers, ATTEMPT, "1")),
        text(headers, MESSAGE, null));
  }

  private static void add(List<Header> headers, String key, String value) {
    headers.add(new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8)));
  }

  private static String text(Headers headers, String key, String otherwise) {
    Header header = headers.lastHeader(key);
    return header == null ? otherwise : new String(header.value(), StandardCharsets.UTF_8);
  }
}
