package io.followermaze.routing;

import java.util.function.IntConsumer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;

/**
 * Who follows whom, in primitive-int collections. A user with no followers has no entry, so memory
 * follows the live edges. Follows to or from users who never connected count all the same. Not
 * thread-safe: the engine thread owns it.
 */
public final class FollowGraph {

  private final Int2ObjectHashMap<IntHashSet> followersByUser = new Int2ObjectHashMap<>();
  private long edges;

  /** {@code follower} now follows {@code followed}; following twice changes nothing. */
  public void follow(int follower, int followed) {
    if (followersByUser.computeIfAbsent(followed, user -> new IntHashSet()).add(follower)) {
      edges++;
    }
  }

  /**
   * {@code follower} no longer follows {@code followed}; unfollowing a stranger changes nothing.
   */
  public void unfollow(int follower, int followed) {
    IntHashSet followers = followersByUser.get(followed);
    if (followers != null && followers.remove(follower)) {
      edges--;
      if (followers.isEmpty()) {
        followersByUser.remove(followed);
      }
    }
  }

  /** Calls {@code action} with each current follower of {@code user}, in no particular order. */
  public void forEachFollower(int user, IntConsumer action) {
    IntHashSet followers = followersByUser.get(user);
    if (followers != null) {
      followers.forEachInt(action);
    }
  }

  /** Whether {@code follower} follows {@code followed}. */
  public boolean follows(int follower, int followed) {
    IntHashSet followers = followersByUser.get(followed);
    return followers != null && followers.contains(follower);
  }

  /** How many follow relations exist. */
  public long edgeCount() {
    return edges;
  }
}
