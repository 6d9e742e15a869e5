package io.followermaze.protocol;

/**
 * Reads the id line a user client sends when it connects: decimal digits ending in LF or CRLF.
 *
 * @param userId the user id, when {@link #error()} is null
 * @param error why the line is not an id, or null
 */
public record ClientId(int userId, String error) {

  /** The longest id line accepted: ten digits and CRLF. */
  public static final int MAX_LINE_LENGTH = 12;

  /** Whether the line held a valid id. */
  public boolean valid() {
    return error == null;
  }

  /** Parses {@code line[0, length)}, which must include its LF. */
  public static ClientId parse(byte[] line, int length) {
    int end = length;
    if (end > 0 && line[end - 1] == '\n') {
      end--;
      if (end > 0 && line[end - 1] == '\r') {
        end--;
      }
    }
    if (end == 0) {
      return new ClientId(-1, "empty user id");
    }
    long value = EventParser.parseNumber(line, 0, end, 10);
    if (value < 0 || value > Integer.MAX_VALUE) {
      return new ClientId(-1, "user id must be a number from 0 to " + Integer.MAX_VALUE);
    }
    return new ClientId((int) value, null);
  }
}
