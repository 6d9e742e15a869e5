package io.followermaze.deadletter;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes dead letters straight from their fields into a reusable buffer and hands them out as one
 * {@link DeadLetterBlock}: the engine's way to raise millions of letters without an object per
 * letter. Confined to one thread; {@link #take()} copies the buffer once and starts a new block.
 */
public final class DeadLetterBlockWriter {

  private static final int MAX_VARINT = 10;

  private byte[] buffer;
  private int position = 1;
  private int count;
  private int[] countsByReason = new int[Reason.values().length];
  private final List<String> origins = new ArrayList<>();

  private String lastOrigin;
  private int lastOriginIndex;
  private long baseTime;

  /** An empty writer, sized for the engine's many letters per block. */
  public DeadLetterBlockWriter() {
    this(16 * 1024);
  }

  /** An empty writer whose buffer starts at {@code initialBytes} (it grows as needed). */
  public DeadLetterBlockWriter(int initialBytes) {
    buffer = new byte[Math.max(64, initialBytes)];
    buffer[0] = DeadLetterBlock.VERSION;
  }

  /** Adds a letter. */
  public void add(DeadLetter letter) {
    add(letter.reason(), letter.payload(), letter.payloadLength(), letter.sequence(), letter.recipient(), letter.type(),
        letter.timestampMillis(), letter.origin(), letter.attempt(), letter.error());
  }

  /**
   * Adds a notification for {@code recipient} that could not be delivered, with the reason's usual
   * error text: {@link DeadLetter#undeliverable} without the object.
   */
  public void undeliverable(Reason reason, Event event, int recipient, String origin, long nowMillis) {
    byte[] line = event.line();
    add(reason, line, line.length, event.sequence(), recipient, event.type(), nowMillis, origin, 1, reason.usualError());
  }

  private void add(Reason reason, byte[] payload, long payloadLength, long sequence, int recipient, EventType type,
      long timeMillis, String origin, int attempt, String error) {
    if (count == 0) {
      baseTime = timeMillis;
    }
    boolean ownError = error != null && !error.equals(reason.usualError());
    boolean cut = payloadLength != payload.length;
    ensureRoom(2 + 7 * MAX_VARINT + payload.length);
    buffer[position++] = (byte) (reason.code() | (ownError ? DeadLetterBlock.OWN_ERROR : 0) | (cut ? DeadLetterBlock.CUT : 0));
    buffer[position++] = (byte) (type == null ? 0 : type.code());
    writeVarint(originIndex(origin));
    writeVarint(DeadLetterBlock.zigZagEncode(timeMillis - baseTime));
    writeVarint(sequence + 1);
    writeVarint((long) recipient + 1);
    writeVarint(attempt);
    writeVarint(payload.length);
    System.arraycopy(payload, 0, buffer, position, payload.length);
    position += payload.length;
    if (cut) {
      writeVarint(payloadLength);
    }
    if (ownError) {
      writeString(error);
    }
    count++;
    countsByReason[reason.ordinal()]++;
  }

  /** Letters added since the last {@link #take()}. */
  public int size() {
    return count;
  }

  /** The letters added so far as a block; the writer starts over empty. */
  public DeadLetterBlock take() {
    int trailer = position;
    ensureRoom(3 * MAX_VARINT + 12);
    writeVarint(count);
    writeVarint(origins.size());
    for (String origin : origins) {
      writeString(origin);
    }
    ensureRoom(12);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[position++] = (byte) (baseTime >>> shift);
    }
    for (int shift = 24; shift >= 0; shift -= 8) {
      buffer[position++] = (byte) (trailer >>> shift);
    }
    DeadLetterBlock block = new DeadLetterBlock(Arrays.copyOf(buffer, position), count, countsByReason);
    position = 1;
    count = 0;
    countsByReason = new int[Reason.values().length];
    origins.clear();
    lastOrigin = null;
    return block;
  }

  private int originIndex(String origin) {
    if (origin != lastOrigin || origin == null) {
      origin = origin == null ? "" : origin;
      int index = origins.indexOf(origin);
      if (index < 0) {
        index = origins.size();
        origins.add(origin);
      }
      lastOrigin = origin;
      lastOriginIndex = index;
    }
    return lastOriginIndex;
  }

  private void writeString(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ensureRoom(MAX_VARINT + bytes.length);
    writeVarint(bytes.length);
    System.arraycopy(bytes, 0, buffer, position, bytes.length);
    position += bytes.length;
  }

  private void writeVarint(long value) {
    while ((value & ~0x7fL) != 0) {
      buffer[position++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buffer[position++] = (byte) value;
  }

  private void ensureRoom(int bytes) {
    if (buffer.length - position < bytes) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + bytes));
    }
  }
}
