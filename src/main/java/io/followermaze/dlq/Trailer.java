package io.followermaze.dlq;

import java.util.List;

/**
 * The end of a compact dead-letter format (blocks, event chunks): a few counts, the origins the
 * entries refer to, the base time (8 bytes) and, last, where the trailer starts (4 bytes), so that
 * a writer fills one buffer front to back and a reader finds the trailer from the end.
 *
 * @param offset where the trailer starts (the entries end there)
 * @param counts the counts, in the order written
 * @param origins the origin names, by index
 * @param baseTime the time entries' times are relative to
 */
public record Trailer(int offset, long[] counts, String[] origins, long baseTime) {

  /** Appends a trailer to {@code out}, which holds the entries so far. */
  public static void write(VarintBuffer out, long[] counts, List<String> origins, long baseTime) {
    int offset = out.size();
    for (long count : counts) {
      out.writeVarint(count);
    }
    out.writeVarint(origins.size());
    for (String origin : origins) {
      out.writeString(origin);
    }
    out.writeFixedLong(baseTime);
    out.writeFixedInt(offset);
  }

  /**
   * Reads the trailer of {@code data} with {@code countFields} counts (each at most the trailer's
   * offset); throws {@link IllegalArgumentException} naming {@code what} when it is damaged.
   */
  public static Trailer read(String what, byte[] data, int countFields) {
    int offset = new VarintReader(what, data, data.length - 4, data.length).readFixedInt();
    if (offset < 1 || offset > data.length - 12) {
      throw new IllegalArgumentException(what + " is damaged: a bad trailer offset " + offset);
    }
    VarintReader in = new VarintReader(what, data, offset, data.length - 4);
    long[] counts = new long[countFields];
    for (int i = 0; i < countFields; i++) {
      counts[i] = in.readVarint();
      if (counts[i] < 0) {
        throw in.damaged("a negative count");
      }
    }
    String[] origins = new String[in.readCount("origin count", 1)];
    for (int i = 0; i < origins.length; i++) {
      origins[i] = in.readString();
    }
    long baseTime = in.readFixedLong();
    in.expectEnd();
    return new Trailer(offset, counts, origins, baseTime);
  }
}
