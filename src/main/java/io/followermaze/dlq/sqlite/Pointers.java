package io.followermaze.dlq.sqlite;

import io.followermaze.dlq.VarintBuffer;
import io.followermaze.dlq.VarintReader;
import java.util.BitSet;

/**
 * The codec of a {@code dlq_pointer} row: ascending event numbers as delta varints from the row's
 * {@code first_event} (one or two bytes each; the indexer writes them), and the purged positions
 * the same way. A letter's id is {@code row id << 16 | position}, so a row holds at most {@value
 * #MAX_PER_ROW} pointers.
 */
final class Pointers {

  static final int MAX_PER_ROW = 1 << 16;
  private static final String WHAT = "dead-letter pointer row";

  private Pointers() {}

  /** The letter id of position {@code position} in row {@code row}. */
  static long letterId(long row, int position) {
    return row << 16 | position;
  }

  static long row(long letterId) {
    return letterId >>> 16;
  }

  static int position(long letterId) {
    return (int) (letterId & 0xffff);
  }

  /**
   * Decodes {@code count} values from {@code first}; throws {@link IllegalArgumentException} when
   * the data does not hold exactly that many ascending values within {@code [first, last]}.
   */
  static long[] decode(byte[] data, long first, long last, int count) {
    if (count < 0 || count > MAX_PER_ROW || count > data.length) {
      throw new IllegalArgumentException(
          WHAT + " is damaged: " + count + " pointers in " + data.length + " bytes");
    }
    VarintReader in = new VarintReader(WHAT, data);
    long[] values = new long[count];
    long value = first;
    for (int i = 0; i < count; i++) {
      value += in.readVarint();
      if (value < first || value > last) {
        throw in.damaged("pointer " + value + " outside " + first + ".." + last);
      }
      values[i] = value;
    }
    in.expectEnd();
    return values;
  }

  /** The purged positions of a row ({@code removed} column; null: none). */
  static BitSet removed(byte[] data, int letters) {
    BitSet removed = new BitSet(letters);
    if (data != null) {
      VarintReader in = new VarintReader(WHAT + " removals", data);
      long position = 0;
      while (in.hasMore()) {
        position += in.readVarint();
        if (position >= letters) {
          throw in.damaged("removed position " + position + " of " + letters);
        }
        removed.set((int) position);
      }
    }
    return removed;
  }

  /** Encodes purged positions for the {@code removed} column (null when there are none). */
  static byte[] encodeRemoved(BitSet removed) {
    if (removed.isEmpty()) {
      return null;
    }
    VarintBuffer out = new VarintBuffer(16);
    long previous = 0;
    for (int i = removed.nextSetBit(0); i >= 0; i = removed.nextSetBit(i + 1)) {
      out.writeVarint(i - previous);
      previous = i;
    }
    return out.toByteArray();
  }
}
