package io.followermaze.protocol;

/** What one line of the event stream turned out to be: an {@link Event} or {@link Malformed}. */
public sealed interface ParseResult permits Event, Malformed {

  /** The bytes as received, terminator included (for an over-long line, its first bytes). */
  byte[] line();
}
