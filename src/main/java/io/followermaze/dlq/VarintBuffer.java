package io.followermaze.dlq;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with unsigned LEB128 varints: the one encoder behind every compact
 * dead-letter format (blocks, event chunks, pointer sets). Confined to one thread.
 */
public final class VarintBuffer {

  private static final int MAX_VARINT = 10;

  private byte[] bytes;
  private int position;

  /** An empty buffer with room for {@code initialBytes}. */
  public VarintBuffer(int initialBytes) {
    bytes = new byte[Math.max(16, initialBytes)];
  }

  /** Bytes written so far. */
  public int size() {
    return position;
  }

  /** Forgets what was written (keeps the capacity). */
  public void clear() {
    position = 0;
  }

  /** Appends one byte. */
  public void writeByte(int value) {
    ensureRoom(1);
    bytes[position++] = (byte) value;
  }

  /** Appends an unsigned varint. */
  public void writeVarint(long value) {
    ensureRoom(MAX_VARINT);
    while ((value & ~0x7fL) != 0) {
      bytes[position++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    bytes[position++] = (byte) value;
  }

  /** Appends {@code value} zig-zag encoded, so small negative numbers stay short. */
  public void writeSignedVarint(long value) {
    writeVarint((value << 1) ^ (value >> 63));
  }

  /** Appends a length-prefixed byte run. */
  public void writeBytes(byte[] source) {
    writeVarint(source.length);
    writeRaw(source, 0, source.length);
  }

  /** Appends bytes as they are. */
  public void writeRaw(byte[] source, int offset, int length) {
    ensureRoom(length);
    System.arraycopy(source, offset, bytes, position, length);
    position += length;
  }

  /** Appends a length-prefixed UTF-8 string. */
  public void writeString(String text) {
    writeBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Appends {@code value} as 8 big-endian bytes. */
  public void writeFixedLong(long value) {
    ensureRoom(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      bytes[position++] = (byte) (value >>> shift);
    }
  }

  /** Appends {@code value} as 4 big-endian bytes. */
  public void writeFixedInt(int value) {
    ensureRoom(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      bytes[position++] = (byte) (value >>> shift);
    }
  }

  /** A copy of what was written. */
  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, position);
  }

  private void ensureRoom(int more) {
    if (bytes.length - position < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + more));
    }
  }
}
