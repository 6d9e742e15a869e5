package io.followermaze.kafka;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
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

  private DeadLetterHeaders() {}

  /** The headers for {@code letter}; absent values (no sequence, no recipient, no type) are left out. */
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

  /** The letter a record with {@code headers} and {@code value} holds. */
  public static DeadLetter toLetter(Headers headers, byte[] value) {
    String type = text(headers, TYPE, null);
    return new DeadLetter(
        Reason.valueOf(text(headers, REASON, "EMPTY_LINE")),
        value == null ? new byte[0] : value,
        Long.parseLong(text(headers, PAYLOAD_LENGTH, Integer.toString(value == null ? 0 : value.length))),
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
