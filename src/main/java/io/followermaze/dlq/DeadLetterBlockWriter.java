package io.followermaze.dlq;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventType;

/**
 * Encodes dead letters straight from their fields into a reusable buffer and hands them out as one
 * {@link DeadLetterBlock}: the engine's way to raise millions of letters without an object per
 * letter. Consecutive offline recipients of the same event share one entry, so the event is stored
 * once and each further recipient costs one varint. Confined to one thread; {@link #take()} copies
 * the buffer once and starts a new block.
 */
public final class DeadLetterBlockWriter {

  private final VarintBuffer buffer;
  private int entries;
  private int letters;
  private int[] countsByReason = new int[Reason.values().length];
  private final OriginTable origins = new OriginTable();

  private long baseTime;
  private long firstMillis;
  private long lastMillis;

  /** Whether the last entry still takes recipients (its terminator is not written yet). */
  private boolean entryOpen;

  /** The event, reason and origin of the open entry when further recipients may join it. */
  private Event openEvent;

  private Reason openReason;
  private String openOrigin;

  /** An empty writer, sized for the engine's many letters per block. */
  public DeadLetterBlockWriter() {
    this(16 * 1024);
  }

  /** An empty writer whose buffer starts at {@code initialBytes} (it grows as needed). */
  public DeadLetterBlockWriter(int initialBytes) {
    buffer = new VarintBuffer(initialBytes);
    buffer.writeByte(DeadLetterBlock.VERSION);
  }

  /** Adds a letter as an entry of its own. */
  public void add(DeadLetter letter) {
    closeEntry();
    beginEntry(
        letter.reason(),
        letter.payload(),
        letter.payloadLength(),
        letter.sequence(),
        letter.type(),
        letter.timestampMillis(),
        letter.origin(),
        letter.attempt(),
        letter.error());
    if (letter.recipient() != DeadLetter.NONE) {
      buffer.writeVarint((long) letter.recipient() + 1);
    }
    count(letter.reason());
    closeEntry();
  }

  /**
   * Adds a notification for {@code recipient} that could not be delivered, with the reason's usual
   * error text: {@link DeadLetter#undeliverable} without the object. When the previous call was for
   * the same event, reason and origin, only the recipient is written.
   */
  public void undeliverable(
      Reason reason, Event event, int recipient, String origin, long nowMillis) {
    if (event != openEvent
        || reason != openReason
        || (origin != openOrigin && !java.util.Objects.equals(origin, openOrigin))) {
      closeEntry();
      byte[] line = event.line();
      beginEntry(
          reason,
          line,
          line.length,
          event.sequence(),
          event.type(),
          nowMillis,
          origin,
          1,
          reason.usualError());
      openEvent = event;
      openReason = reason;
      openOrigin = origin;
    }
    buffer.writeVarint((long) recipient + 1);
    count(reason);
  }

  private void beginEntry(
      Reason reason,
      byte[] payload,
      long payloadLength,
      long sequence,
      EventType type,
      long timeMillis,
      String origin,
      int attempt,
      String error) {
    if (entries == 0) {
      baseTime = timeMillis;
      firstMillis = timeMillis;
      lastMillis = timeMillis;
    }
    firstMillis = Math.min(firstMillis, timeMillis);
    lastMillis = Math.max(lastMillis, timeMillis);
    EntryCodec.write(
        buffer,
        buffer,
        origins,
        baseTime,
        reason,
        type,
        origin,
        timeMillis,
        sequence,
        attempt,
        payload,
        payloadLength,
        error);
    entries++;
    entryOpen = true;
  }

  private void count(Reason reason) {
    letters++;
    countsByReason[reason.ordinal()]++;
  }

  private void closeEntry() {
    if (entryOpen) {
      buffer.writeVarint(0);
      entryOpen = false;
    }
    openEvent = null;
    openReason = null;
    openOrigin = null;
  }

  /** Letters added since the last {@link #take()}. */
  public int size() {
    return letters;
  }

  /** Bytes encoded since the last {@link #take()}: what the engine bounds a block by. */
  public int bytes() {
    return buffer.size();
  }

  /** The letters added so far as a block; the writer starts over empty. */
  public DeadLetterBlock take() {
    closeEntry();
    Trailer.write(buffer, new long[] {entries, letters}, origins.names(), baseTime);
    DeadLetterBlock block =
        new DeadLetterBlock(buffer.toByteArray(), letters, countsByReason, firstMillis, lastMillis);
    buffer.clear();
    buffer.writeByte(DeadLetterBlock.VERSION);
    entries = 0;
    letters = 0;
    firstMillis = 0;
    lastMillis = 0;
    countsByReason = new int[Reason.values().length];
    origins.clear();
    return block;
  }
}
