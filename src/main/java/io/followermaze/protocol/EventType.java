package io.followermaze.protocol;

/** The five event types of the protocol, with their wire code and field count. */
public enum EventType {
  FOLLOW('F', 4),
  UNFOLLOW('U', 4),
  BROADCAST('B', 2),
  PRIVATE_MESSAGE('P', 4),
  STATUS_UPDATE('S', 3);

  private final char code;
  private final int fieldCount;

  EventType(char code, int fieldCount) {
    this.code = code;
    this.fieldCount = fieldCount;
  }

  /** The single character that names this type on the wire. */
  public char code() {
    return code;
  }

  /** How many {@code |}-separated fields a line of this type has, sequence number included. */
  public int fieldCount() {
    return fieldCount;
  }

  /** The type for a wire code, or {@code null} when the code names no type. */
  public static EventType ofCode(int code) {
    return switch (code) {
      case 'F' -> FOLLOW;
      case 'U' -> UNFOLLOW;
      case 'B' -> BROADCAST;
      case 'P' -> PRIVATE_MESSAGE;
      case 'S' -> STATUS_UPDATE;
      default -> null;
    };
  }
}
