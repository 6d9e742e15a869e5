package io.followermaze.engine;

import io.followermaze.protocol.Event;

/**
 * Where a sequencer engine puts events in sequence order (instead of routing them). Called on the
 * engine thread.
 */
public interface OrderedLog {

  /** The next event in sequence order. */
  void append(Event event);

  /** The end of one batch of input: make what was appended visible downstream. */
  void endOfBatch();

  /**
   * The log lost something it had accepted, or cannot take more: the engine must not go on (the log
   * would have a hole), so its role ends and the process stops.
   */
  final class Unwritable extends RuntimeException {
    public Unwritable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
