package io.followermaze.routing;

import io.followermaze.protocol.Event;

/** Where the router sends the recipients of an event; the engine delivers or dead-letters. */
public interface Recipients {

  /** {@code event} is for {@code user}, connected or not. */
  void user(int user, Event event);

  /** {@code event} is for every connected user. */
  void everyoneConnected(Event event);
}
