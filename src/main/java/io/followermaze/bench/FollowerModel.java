package io.followermaze.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2LongHashMap;

/**
 * The bench's own picture of who follows whom. Keeps the edges in an array as well as a map so an
 * unfollow can pick an existing edge at random in O(1), which keeps the graph from filling up the
 * way uniformly random unfollows of strangers would.
 */
final class FollowerModel {

  private final int clients;
  private final int lastPartial;
  private final Long2LongHashMap edgeSlots = new Long2LongHashMap(-1);
  private final IntHashSet[] connectedFollowers;
  private final IntHashSet[] partialFollowers;
  private final int[] followerCounts;
  private long[] edges = new long[1024];
  private int edgeCount;

  /** Users 1..clients are reliable clients, the next {@code partial} users unreliable ones. */
  FollowerModel(int users, int clients, int partial) {
    this.clients = clients;
    this.lastPartial = clients + partial;
    this.connectedFollowers = new IntHashSet[users + 1];
    this.partialFollowers = new IntHashSet[users + 1];
    this.followerCounts = new int[users + 1];
  }

  void follow(int from, int to) {
    long edge = edge(from, to);
    if (edgeSlots.get(edge) != -1) {
      return;
    }
    if (edgeCount == edges.length) {
      edges = Arrays.copyOf(edges, edgeCount * 2);
    }
    edgeSlots.put(edge, edgeCount);
    edges[edgeCount++] = edge;
    followerCounts[to]++;
    if (from <= clients) {
      if (connectedFollowers[to] == null) {
        connectedFollowers[to] = new IntHashSet();
      }
      connectedFollowers[to].add(from);
    } else if (from <= lastPartial) {
      if (partialFollowers[to] == null) {
        partialFollowers[to] = new IntHashSet();
      }
      partialFollowers[to].add(from);
    }
  }

  /** An existing edge chosen at random, as {@code from << 32 | to}, or -1 when there is none. */
  long randomEdge(SplittableRandom random) {
    return edgeCount == 0 ? -1 : edges[random.nextInt(edgeCount)];
  }

  void unfollow(int from, int to) {
    long edge = edge(from, to);
    long slot = edgeSlots.remove(edge);
    if (slot == -1) {
      return;
    }
    long last = edges[--edgeCount];
    if (slot != edgeCount) {
      edges[(int) slot] = last;
      edgeSlots.put(last, slot);
    }
    followerCounts[to]--;
    if (from <= clients) {
      connectedFollowers[to].remove(from);
    } else if (from <= lastPartial) {
      partialFollowers[to].remove(from);
    }
  }

  /** The followers of {@code user} that are unreliable clients, or null when there are none. */
  IntHashSet partialFollowers(int user) {
    return partialFollowers[user];
  }

  /** The followers of {@code user} that are bench clients, or null when there are none. */
  IntHashSet connectedFollowers(int user) {
    return connectedFollowers[user];
  }

  int followerCount(int user) {
    return followerCounts[user];
  }

  static int from(long edge) {
    return (int) (edge >>> 32);
  }

  static int to(long edge) {
    return (int) edge;
  }

  private static long edge(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
  }
}
