package io.followermaze.dlq;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventType;
import io.followermaze.protocol.Malformed;
import java.nio.charset.StandardCharsets;

/**
 * One thing the server received and could not use or deliver.
 *
 * @param reason why
 * @param payload the original bytes exactly as received (for an over-long line, its head)
 * @param payloadLength the original length in bytes, which exceeds {@code payload.length} only when
 *     the line was cut
 * @param sequence the sequence number, or {@link #NONE} when unreadable
 * @param recipient the user the notification was for, or {@link #NONE}
 * @param type the event type, or null when the line had none
 * @param timestampMillis when it became a dead letter, epoch milliseconds
 * @param origin the connection or component it came from, e.g. {@code source#2 127.0.0.1:50312}
 * @param attempt how many delivery attempts it has had (1 for the original one)
 * @param error a short human explanation
 */
public record DeadLetter(
    Reason reason,
    byte[] payload,
    long payloadLength,
    long sequence,
    int recipient,
    EventType type,
    long timestampMillis,
    String origin,
    int attempt,
    String error) {

  /** Marks an unknown sequence number or recipient. */
  public static final int NONE = -1;

  private static final byte[] NO_BYTES = new byte[0];

  /** A line from the event source that did not parse. */
  public static DeadLetter malformed(Malformed line, String origin, long nowMillis) {
    long sequence = line.hasSequence() ? line.sequence() : NONE;
    return new DeadLetter(
        Reason.of(line.problem()),
        line.line(),
        line.length(),
        sequence,
        NONE,
        null,
        nowMillis,
        origin,
        1,
        line.detail());
  }

  /** A well-formed event the sequencer refused (a duplicate number). */
  public static DeadLetter rejected(
      Reason reason, Event event, String origin, long nowMillis, String error) {
    byte[] line = event.line();
    return new DeadLetter(
        reason,
        line,
        line.length,
        event.sequence(),
        NONE,
        event.type(),
        nowMillis,
        origin,
        1,
        error);
  }

  /** A notification for {@code recipient} that could not be delivered. */
  public static DeadLetter undeliverable(
      Reason reason, Event event, int recipient, String origin, long nowMillis, String error) {
    byte[] line = event.line();
    return new DeadLetter(
        reason,
        line,
        line.length,
        event.sequence(),
        recipient,
        event.type(),
        nowMillis,
        origin,
        1,
        error);
  }

  /** A range of sequence numbers that was given up on; carries no payload. */
  public static DeadLetter gap(long first, String origin, long nowMillis, String error) {
    return new DeadLetter(
        Reason.SEQUENCE_GAP, NO_BYTES, 0, first, NONE, null, nowMillis, origin, 1, error);
  }

  /** The payload as text, for logs (invalid UTF-8 shows as replacement characters). */
  public String payloadText() {
    return new String(payload, StandardCharsets.UTF_8).stripTrailing();
  }
}
