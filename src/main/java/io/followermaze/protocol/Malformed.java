package io.followermaze.protocol;

/**
 * A line that is not a usable event.
 *
 * @param problem what is wrong with it
 * @param sequence the sequence number if it could be read, else {@link #NO_SEQUENCE}
 * @param line the bytes as received (for {@link Malformation#LINE_TOO_LONG}, the first bytes)
 * @param length how many bytes the line had in full, terminator included
 * @param detail a short human explanation
 */
public record Malformed(
    Malformation problem, long sequence, byte[] line, long length, String detail)
    implements ParseResult {

  /** Marks a sequence number that could not be read. */
  public static final long NO_SEQUENCE = 0;

  /** Whether the sequence number could be read. */
  public boolean hasSequence() {
    return sequence != NO_SEQUENCE;
  }
}
