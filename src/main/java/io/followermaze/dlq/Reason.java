package io.followermaze.dlq;

import io.followermaze.protocol.Malformation;

/** Why a dead letter exists; grouped by {@link Category}. */
public enum Reason {
  EMPTY_LINE(1, Category.MALFORMED),
  BAD_SEQUENCE(2, Category.MALFORMED),
  UNKNOWN_TYPE(3, Category.MALFORMED),
  WRONG_FIELD_COUNT(4, Category.MALFORMED),
  BAD_USER_ID(5, Category.MALFORMED),
  LINE_TOO_LONG(6, Category.MALFORMED),
  INVALID_UTF8(7, Category.MALFORMED),
  TRUNCATED_LINE(8, Category.MALFORMED),
  /** A second event with a number already buffered, delivered or skipped. */
  DUPLICATE_SEQUENCE(9, Category.SEQUENCING),
  /** A range of numbers the gap policy gave up waiting for. */
  SEQUENCE_GAP(10, Category.SEQUENCING),
  /**
   * A number a whole reorder window or more ahead of the next expected one: not trusted, not waited
   * for.
   */
  SEQUENCE_OUT_OF_RANGE(14, Category.SEQUENCING),
  /** The recipient had no connection when the notification was routed. */
  USER_NOT_CONNECTED(11, Category.UNDELIVERABLE),
  /** The recipient's connection failed or closed with the notification still queued. */
  CONNECTION_LOST(12, Category.UNDELIVERABLE),
  /** The recipient's outbound buffer was full. */
  CLIENT_TOO_SLOW(13, Category.UNDELIVERABLE),
  /**
   * Processing the event failed inside the server (a bug): it is kept, counted, and the stream
   * moves on.
   */
  PROCESSING_FAILED(15, Category.INTERNAL);

  /** The families of dead letters. */
  public enum Category {
    MALFORMED,
    SEQUENCING,
    UNDELIVERABLE,
    INTERNAL
  }

  private static final Reason[] BY_CODE = new Reason[32];

  static {
    for (Reason reason : values()) {
      BY_CODE[reason.code] = reason;
    }
  }

  private final int code;
  private final Category category;

  Reason(int code, Category category) {
    this.code = code;
    this.category = category;
  }

  /** A stable small number for compact encodings (1..31; never reused). */
  public int code() {
    return code;
  }

  /**
   * The reason with {@link #code()} {@code code}; throws {@link IllegalArgumentException} for none.
   */
  public static Reason ofCode(int code) {
    Reason reason = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    if (reason == null) {
      throw new IllegalArgumentException("unknown reason code " + code);
    }
    return reason;
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
