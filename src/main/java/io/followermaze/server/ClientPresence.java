package io.followermaze.server;

/**
 * Told when a user's session starts and ends on this node, so that other nodes of a cluster know
 * where the user is. {@code session} tells one connection of a user from a later one.
 */
public interface ClientPresence {

  /** {@code user} now has a session here. */
  void connected(int user, Object session);

  /** {@code user}'s session {@code session} has ended. */
  void disconnected(int user, Object session);
}
