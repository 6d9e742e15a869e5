package io.followermaze.deadletter;

import io.followermaze.protocol.EventType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An immutable run of dead letters in their compact binary form: what the engine hands to the sink
 * once per source chunk and what the store commits as one row, so the hot path allocates no object
 * per letter. Built by a {@link DeadLetterBlockWriter}; {@link #letters()} decodes it.
 *
 * <p>Layout (version 1): a version byte; per letter a head byte (reason code, flags), the type code,
 * the origin index, the time relative to the base time, sequence and recipient (each + 1, so that
 * {@link DeadLetter#NONE} is 0), attempt, the payload, and the original length and error text only
 * when they are not the usual ones; then a trailer: the letter count, the origins the letters refer
 * to, the base time (8 bytes) and the trailer's offset (4 bytes), so the writer fills one buffer
 * front to back. Integers are unsigned LEB128 varints; a typical offline-user letter takes ~25 bytes.
 */
public final class DeadLetterBlock {

  static final byte VERSION = 1;
  static final int REASON_MASK = 0x1f;
  static final int OWN_ERROR = 0x20;
  static final int CUT = 0x40;

  private final byte[] data;
  private final int count;
  private final int[] countsByReason;

  DeadLetterBlock(byte[] data, int count, int[] countsByReason) {
    this.data = data;
    this.count = count;
    this.countsByReason = countsByReason;
  }

  /** A block holding {@code letters}, in order. */
  public static DeadLetterBlock of(Collection<DeadLetter> letters) {
    int estimate = 64;
    for (DeadLetter letter : letters) {
      estimate += 64 + letter.payload().length;
    }
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter(estimate);
    letters.forEach(writer::add);
    return writer.take();
  }

  /** A block holding one letter. */
  public static DeadLetterBlock of(DeadLetter letter) {
    return of(List.of(letter));
  }


  /** The encoded bytes (do not modify). */
  public byte[] data() {
    return data;
  }

  /** How many letters the block holds. */
  public int size() {
    return count;
  }

  /** How many of them have {@code reason}. */
  public int count(Reason reason) {
    return countsByReason[reason.ordinal()];
  }

  /** Decodes the letters, in the order they were added. */
  public List<DeadLetter> letters() {
    return decode(data);
  }

  /** Decodes a block's {@link #data()}; throws {@link IllegalArgumentException} if it is not one. */
  public static List<DeadLetter> decode(byte[] data) {
    if (data.length < 13 || data[0] != VERSION) {
      throw new IllegalArgumentException("not a dead-letter block (" + data.length + " bytes, version "
          + (data.length == 0 ? "none" : data[0]) + ")");
    }
    int trailer = 0;
    for (int i = data.length - 4; i < data.length; i++) {
      trailer = trailer << 8 | (data[i] & 0xff);
    }
    if (trailer < 1 || trailer > data.length - 12) {
      throw new IllegalArgumentException("dead-letter block has a bad trailer offset " + trailer);
    }
    Reader in = new Reader(data, trailer, data.length - 4);
    int letters = in.readInt();
    String[] origins = new String[in.readInt()];
    for (int i = 0; i < origins.length; i++) {
      origins[i] = in.readString();
    }
    long baseTime = in.readFixedLong();
    in.expectEnd();
    in = new Reader(data, 1, trailer);
    List<DeadLetter> result = new ArrayList<>(letters);
    for (int i = 0; i < letters; i++) {
      int head = in.readByte() & 0xff;
      Reason reason = reasonOf(head & REASON_MASK);
      int typeCode = in.readByte() & 0xff;
      int originIndex = in.readInt();
      if (originIndex >= origins.length) {
        throw new IllegalArgumentException("dead-letter block refers to unknown origin " + originIndex);
      }
      String origin = origins[originIndex];
      long time = baseTime + zigZagDecode(in.readLong());
      long sequence = in.readLong() - 1;
      int recipient = (int) (in.readLong() - 1);
      int attempt = in.readInt();
      byte[] payload = in.readBytes(in.readInt());
      long payloadLength = (head & CUT) != 0 ? in.readLong() : payload.length;
      String error = (head & OWN_ERROR) != 0 ? in.readString() : reason.usualError();
      result.add(new DeadLetter(reason, payload, payloadLength, sequence, recipient,
          typeCode == 0 ? null : EventType.ofCode(typeCode), time, origin, attempt, error));
    }
    in.expectEnd();
    return result;
  }

  private static Reason reasonOf(int code) {
    try {
      return Reason.ofCode(code);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("dead-letter block has an " + e.getMessage(), e);
    }
  }

  static long zigZagEncode(long value) {
    return (value << 1) ^ (value >> 63);
  }

  static long zigZagDecode(long value) {
    return (value >>> 1) ^ -(value & 1);
  }

  /** Bounds-checked varint reader over the block's bytes. */
  private static final class Reader {
    private final byte[] data;
    private final int end;
    private int position;

    Reader(byte[] data, int start, int end) {
      this.data = data;
      this.position = start;
      this.end = end;
    }

    void expectEnd() {
      if (position != end) {
        throw new IllegalArgumentException("dead-letter block has " + (end - position) + " unread bytes at " + position);
      }
    }

    byte readByte() {
      if (position >= end) {
        throw new IllegalArgumentException("dead-letter block ends early at byte " + position);
      }
      return data[position++];
    }

    long readLong() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = readByte();
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("dead-letter block has an over-long varint at byte " + position);
    }

    int readInt() {
      long value = readLong();
      if (value < 0 || value > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("dead-letter block has an out-of-range count at byte " + position);
      }
      return (int) value;
    }

    long readFixedLong() {
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = value << 8 | (readByte() & 0xff);
      }
      return value;
    }

    byte[] readBytes(int length) {
      if (length > end - position) {
        throw new IllegalArgumentException("dead-letter block ends early at byte " + position);
      }
      byte[] bytes = java.util.Arrays.copyOfRange(data, position, position + length);
      position += length;
      return bytes;
    }

    String readString() {
      return new String(readBytes(readInt()), StandardCharsets.UTF_8);
    }
  }
}
