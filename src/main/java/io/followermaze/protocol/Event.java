package io.followermaze.protocol;

/**
 * A well-formed event from the event source: a closed set, one record per type, so routing can be
 * one exhaustive {@code switch}.
 *
 * <p>{@link #line()} is the exact byte sequence received, terminator included, and is what user
 * clients are sent. Records hold the array without copying; nobody writes to it after parsing.
 * Equality of events is therefore identity of their lines, which the server never relies on.
 */
public sealed interface Event extends ParseResult
    permits Event.Follow,
        Event.Unfollow,
        Event.Broadcast,
        Event.PrivateMessage,
        Event.StatusUpdate {

  /** The sequence number, always at least 1. */
  long sequence();

  /** The type of this event. */
  EventType type();

  /**
   * {@code from} follows {@code to}; notifies {@code to}.
   *
   * @param sequence sequence number
   * @param from the user who now follows
   * @param to the user who is followed
   * @param line the bytes as received
   */
  record Follow(long sequence, int from, int to, byte[] line) implements Event {
    @Override
    public EventType type() {
      return EventType.FOLLOW;
    }
  }

  /**
   * {@code from} stops following {@code to}; notifies nobody.
   *
   * @param sequence sequence number
   * @param from the user who stops following
   * @param to the user who was followed
   * @param line the bytes as received
   */
  record Unfollow(long sequence, int from, int to, byte[] line) implements Event {
    @Override
    public EventType type() {
      return EventType.UNFOLLOW;
    }
  }

  /**
   * Notifies every connected user.
   *
   * @param sequence sequence number
   * @param line the bytes as received
   */
  record Broadcast(long sequence, byte[] line) implements Event {
    @Override
    public EventType type() {
      return EventType.BROADCAST;
    }
  }

  /**
   * A private message from {@code from} to {@code to}; notifies {@code to}.
   *
   * @param sequence sequence number
   * @param from the sender
   * @param to the recipient
   * @param line the bytes as received
   */
  record PrivateMessage(long sequence, int from, int to, byte[] line) implements Event {
    @Override
    public EventType type() {
      return EventType.PRIVATE_MESSAGE;
    }
  }

  /**
   * A status update of {@code from}; notifies every current follower of {@code from}.
   *
   * @param sequence sequence number
   * @param from the user whose status changed
   * @param line the bytes as received
   */
  record StatusUpdate(long sequence, int from, byte[] line) implements Event {
    @Override
    public EventType type() {
      return EventType.STATUS_UPDATE;
    }
  }
}
