package io.followermaze.sequencing;

/** What made the gap policy give up on a range of missing sequence numbers. */
public enum GapTrigger {
  /** The event source disconnected; nothing it did not send is coming from it. */
  SOURCE_DISCONNECTED,
  /** The stream moved further past the gap than any reorder the source has shown. */
  STREAM_MOVED_ON,
  /** The source was silent for the gap timeout while the gap was open. */
  TIMEOUT,
  /** The server is shutting down and delivers what it can. */
  SHUTDOWN
}
