package io.followermaze.delivery;

/** What the engine does when a client's outbox is full. */
public enum SlowClientPolicy {
  /** Close the connection; everything still queued for it becomes a dead letter. */
  DISCONNECT,
  /** Keep the connection and dead-letter only the notification that did not fit. */
  DEAD_LETTER
}
