package io.followermaze.routing;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.Event.Broadcast;
import io.followermaze.protocol.Event.Follow;
import io.followermaze.protocol.Event.PrivateMessage;
import io.followermaze.protocol.Event.StatusUpdate;
import io.followermaze.protocol.Event.Unfollow;
import java.util.function.IntConsumer;

/**
 * The routing rules, as one exhaustive switch: a new event type does not compile until routed.
 *
 * <ul>
 *   <li>Follow: {@code from} follows {@code to}; {@code to} is notified.
 *   <li>Unfollow: the follow is removed; nobody is notified.
 *   <li>Broadcast: every connected user is notified.
 *   <li>Private message: {@code to} is notified.
 *   <li>Status update: every current follower of {@code from} is notified.
 * </ul>
 *
 * Events must be routed in sequence order. Not thread-safe: the engine thread owns it.
 */
public final class Router {

  private final FollowGraph graph;
  private final Recipients recipients;
  private final IntConsumer notifyFollower = this::notifyFollower;
  private Event current;

  /** A router that applies events to {@code graph} and names recipients to {@code recipients}. */
  public Router(FollowGraph graph, Recipients recipients) {
    this.graph = graph;
    this.recipients = recipients;
  }

  /** Applies {@code event} to the graph and names its recipients. */
  public void route(Event event) {
    switch (event) {
      case Follow follow -> {
        graph.follow(follow.from(), follow.to());
        recipients.user(follow.to(), follow);
      }
      case Unfollow unfollow -> graph.unfollow(unfollow.from(), unfollow.to());
      case Broadcast broadcast -> recipients.everyoneConnected(broadcast);
      case PrivateMessage message -> recipients.user(message.to(), message);
      case StatusUpdate update -> {
        current = update;
        graph.forEachFollower(update.from(), notifyFollower);
        current = null;
      }
    }
  }

  /**
   * Applies {@code event} to the graph only, naming no recipients: for events that were delivered
   * before and are read again to rebuild the graph (a gateway after a restart).
   */
  public void replay(Event event) {
    switch (event) {
      case Follow follow -> graph.follow(follow.from(), follow.to());
      case Unfollow unfollow -> graph.unfollow(unfollow.from(), unfollow.to());
      case Broadcast broadcast -> {}
      case PrivateMessage message -> {}
      case StatusUpdate update -> {}
    }
  }

  private void notifyFollower(int follower) {
    recipients.user(follower, current);
  }
}
