package io.followermaze.protocol;

/** Every way a line from the event source can be unusable. */
public enum Malformation {
  /** Nothing between two terminators. */
  EMPTY_LINE,
  /** The sequence number is missing, not a number, not positive, or too large. */
  BAD_SEQUENCE,
  /** The type field is not one of F, U, B, P, S. */
  UNKNOWN_TYPE,
  /** Too few or too many fields for the type. */
  WRONG_FIELD_COUNT,
  /** A user id is missing, not a number, or out of range. */
  BAD_USER_ID,
  /** The line exceeds the configured maximum length; only its head is kept. */
  LINE_TOO_LONG,
  /** The bytes are not valid UTF-8. */
  INVALID_UTF8,
  /** The connection closed before the line's terminator arrived. */
  TRUNCATED
}
