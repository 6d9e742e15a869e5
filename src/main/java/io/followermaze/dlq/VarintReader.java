package io.followermaze.dlq;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what a {@link VarintBuffer} wrote, checking every bound: damaged data gives an {@link
 * IllegalArgumentException} that names the format ({@code what}), never a misread or an allocation
 * sized by an unchecked count.
 */
public final class VarintReader {

  private final String what;
  private final byte[] data;
  private final int end;
  private int position;

  /** Reads {@code data[start..end)}; errors name {@code what} (e.g. "dead-letter block"). */
  public VarintReader(String what, byte[] data, int start, int end) {
    if (start < 0 || end > data.length || start > end) {
      throw new IllegalArgumentException(
          what + " has a bad range " + start + ".." + end + " of " + data.length + " bytes");
    }
    this.what = what;
    this.data = data;
    this.position = start;
    this.end = end;
  }

  /** Reads all of {@code data}. */
  public VarintReader(String what, byte[] data) {
    this(what, data, 0, data.length);
  }

  /** Whether bytes are left. */
  public boolean hasMore() {
    return position < end;
  }

  /** The read position. */
  public int position() {
    return position;
  }

  /** Bytes left. */
  public int remaining() {
    return end - position;
  }

  /** Throws unless everything was read. */
  public void expectEnd() {
    if (position != end) {
      throw damaged((end - position) + " unread bytes at " + position);
    }
  }

  /** One byte. */
  public int readByte() {
    if (position >= end) {
      throw damaged("it ends early at byte " + position);
    }
    return data[position++] & 0xff;
  }

  /** An unsigned varint. */
  public long readVarint() {
    // The common one- and two-byte varints (recipients, deltas) without the general loop.
    if (end - position >= 2) {
      int b = data[position];
      if (b >= 0) {
        position++;
        return b;
      }
      int b2 = data[position + 1];
      if (b2 >= 0) {
        position += 2;
        return (b & 0x7f) | (long) b2 << 7;
      }
    }
    return readVarintSlowly();
  }

  private long readVarintSlowly() {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      value |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
    throw damaged("an over-long varint at byte " + position);
  }

  /** A zig-zag varint. */
  public long readSignedVarint() {
    long value = readVarint();
    return (value >>> 1) ^ -(value & 1);
  }

  /** A varint that must lie in {@code 0..max}; {@code name} says what it counts. */
  public int readInt(String name, long max) {
    long value = readVarint();
    if (value < 0 || value > max || value > Integer.MAX_VALUE) {
      throw damaged("an out-of-range " + name + " " + value + " at byte " + position);
    }
    return (int) value;
  }

  /**
   * A count of items that take at least {@code minBytesEach} bytes each: checked against what is
   * left, so a damaged count never sizes an allocation.
   */
  public int readCount(String name, int minBytesEach) {
    return readInt(name, remaining() / Math.max(1, minBytesEach));
  }

  /** A length-prefixed byte run. */
  public byte[] readBytes() {
    return readRaw(readInt("length", remaining()));
  }

  /** {@code length} bytes as they are. */
  public byte[] readRaw(int length) {
    if (length < 0 || length > end - position) {
      throw damaged("it ends early at byte " + position);
    }
    byte[] bytes = Arrays.copyOfRange(data, position, position + length);
    position += length;
    return bytes;
  }

  /** A length-prefixed UTF-8 string. */
  public String readString() {
    return new String(readBytes(), StandardCharsets.UTF_8);
  }

  /** 8 big-endian bytes. */
  public long readFixedLong() {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = value << 8 | readByte();
    }
    return value;
  }

  /** 4 big-endian bytes. */
  public int readFixedInt() {
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value = value << 8 | readByte();
    }
    return value;
  }

  /** An error naming the format and what is wrong. */
  public IllegalArgumentException damaged(String problem) {
    return new IllegalArgumentException(what + " is damaged: " + problem);
  }
}
