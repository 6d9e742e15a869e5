package io.followermaze.deadletter;

import io.followermaze.protocol.Malformation;

/** Why a dead letter exists; grouped by {@link Category}. */
public enum Reason {
  EMPTY_LINE(Category.MALFORMED),
  BAD_SEQUENCE(Category.MALFORMED),
  UNKNOWN_TYPE(Category.MALFORMED),
  WRONG_FIELD_COUNT(Category.MALFORMED),
  BAD_USER_ID(Category.MALFORMED),
  LINE_TOO_LONG(Category.MALFORMED),
  INVALID_UTF8(Category.MALFORMED),
  TRUNCATED_LINE(Category.MALFORMED),
  /** A second event with a number already buffered, delivered or skipped. */
  DUPLICATE_SEQUENCE(Category.SEQUENCING),
  /** A range of numbers the gap policy gave up waiting for. */
  SEQUENCE_GAP(Category.SEQUENCING),
  /** The recipient had no connection when the notification was routed. */
  USER_NOT_CONNECTED(Category.UNDELIVERABLE),
  /** The recipient's connection failed or closed with the notification still queued. */
  CONNECTION_LOST(Category.UNDELIVERABLE),
  /** The recipient's outbound buffer was full. */
  CLIENT_TOO_SLOW(Category.UNDELIVERABLE);

  /** The three families of dead letters. */
  public enum Category {
    MALFORMED,
    SEQUENCING,
    UNDELIVERABLE
  }

  private final Category category;

  Reason(Category category) {
    this.category = category;
  }

  /** The family this reason belongs to. */
  public Category category() {
    return category;
  }

  /**
   * The error text most letters of this reason carry; stores may keep it implicitly. Null when each
   * letter explains itself.
   */
  public String usualError() {
    return this == USER_NOT_CONNECTED ? "recipient is not connected" : null;
  }

  /** The reason that records a given parse problem. */
  public static Reason of(Malformation problem) {
    return switch (problem) {
      case EMPTY_LINE -> EMPTY_LINE;
      case BAD_SEQUENCE -> BAD_SEQUENCE;
      case UNKNOWN_TYPE -> UNKNOWN_TYPE;
      case WRONG_FIELD_COUNT -> WRONG_FIELD_COUNT;
      case BAD_USER_ID -> BAD_USER_ID;
      case LINE_TOO_LONG -> LINE_TOO_LONG;
      case INVALID_UTF8 -> INVALID_UTF8;
      case TRUNCATED -> TRUNCATED_LINE;
    };
  }
}
