package io.followermaze.delivery;

import io.followermaze.dlq.Reason;
import io.followermaze.protocol.Event;

/** Receives notifications that a session could not deliver. Thread-safe; never throws. */
@FunctionalInterface
public interface UndeliveredSink {

  /** {@code event} did not reach {@code session}'s user, for {@code reason}. */
  void notDelivered(ClientSession session, Event event, Reason reason, String error);
}
