package io.followermaze.dlq;

import io.followermaze.dlq.DeadLetterBlock.Entry;
import io.followermaze.protocol.EventType;

/**
 * The head of one entry of the compact dead-letter formats (blocks and event chunks): a head byte
 * (reason code, flags), the type code, the origin index, the time relative to the base time, the
 * sequence number + 1 (0: none), the attempt, the payload's length, the original length and the
 * error text only when they are not the usual ones. The payload's bytes follow its length in the
 * same buffer (a block) or go to a buffer of their own (an event chunk's {@code lines}).
 */
public final class EntryCodec {

  private static final int REASON_MASK = 0x1f;
  private static final int OWN_ERROR = 0x20;
  private static final int CUT = 0x40;
  private static final int[] NO_RECIPIENTS = new int[0];

  private EntryCodec() {}

  /** As the method below, for an entry already decoded (its recipients are not written). */
  public static void write(
      VarintBuffer out,
      VarintBuffer payloads,
      OriginTable origins,
      long baseTime,
      DeadLetterBlock.Entry entry) {
    write(
        out,
        payloads,
        origins,
        baseTime,
        entry.reason(),
        entry.type(),
        entry.origin(),
        entry.timeMillis(),
        entry.sequence(),
        entry.attempt(),
        entry.payload(),
        entry.payloadLength(),
        entry.error());
  }

  /**
   * Writes an entry's head to {@code out} and its payload bytes to {@code payloads} (may be {@code
   * out}).
   */
  public static void write(
      VarintBuffer out,
      VarintBuffer payloads,
      OriginTable origins,
      long baseTime,
      Reason reason,
      EventType type,
      String origin,
      long timeMillis,
      long sequence,
      int attempt,
      byte[] payload,
      long payloadLength,
      String error) {
    boolean ownError = error != null && !error.equals(reason.usualError());
    boolean cut = payloadLength != payload.length;
    out.writeByte(reason.code() | (ownError ? OWN_ERROR : 0) | (cut ? CUT : 0));
    out.writeByte(type == null ? 0 : type.code());
    out.writeVarint(origins.indexOf(origin));
    out.writeSignedVarint(timeMillis - baseTime);
    out.writeVarint(sequence + 1);
    out.writeVarint(attempt);
    out.writeVarint(payload.length);
    payloads.writeRaw(payload, 0, payload.length);
    if (cut) {
      out.writeVarint(payloadLength);
    }
    if (ownError) {
      out.writeString(error);
    }
  }

  /**
   * Reads an entry's head from {@code in} and its payload from {@code payloads} (may be {@code
   * in}); the entry has no recipients. Throws {@link IllegalArgumentException} naming the damage.
   */
  public static Entry read(
      VarintReader in, VarintReader payloads, String[] origins, long baseTime) {
    int head = in.readByte();
    Reason reason;
    try {
      reason = Reason.ofCode(head & REASON_MASK);
    } catch (IllegalArgumentException e) {
      throw in.damaged("an " + e.getMessage());
    }
    int typeCode = in.readByte();
    EventType type = typeCode == 0 ? null : EventType.ofCode(typeCode);
    if (typeCode != 0 && type == null) {
      throw in.damaged("an unknown event type " + typeCode);
    }
    String origin = origins[in.readInt("origin index", origins.length - 1L)];
    long time = baseTime + in.readSignedVarint();
    long sequence = in.readVarint() - 1;
    int attempt = in.readInt("attempt", Integer.MAX_VALUE);
    int length = in.readInt("payload length", payloads.remaining());
    byte[] payload = payloads.readRaw(length);
    long payloadLength = (head & CUT) != 0 ? in.readVarint() : payload.length;
    String error = (head & OWN_ERROR) != 0 ? in.readString() : reason.usualError();
    return new Entry(
        reason,
        type,
        origin,
        time,
        sequence,
        attempt,
        payload,
        payloadLength,
        error,
        NO_RECIPIENTS);
  }
}
