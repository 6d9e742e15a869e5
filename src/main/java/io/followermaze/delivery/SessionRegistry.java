package io.followermaze.delivery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The connected sessions by user id, plus a dense list for broadcasts. One session per user: a
 * newer connection for the same id replaces the older one. Not thread-safe: the engine thread owns
 * it.
 *
 * <p>{@link #get} runs for every recipient of every event (a status update asks once per follower),
 * so ids below {@value #DIRECT_LIMIT} (what real deployments and the bench use) are found by index
 * in an array that grows to the largest such id registered; other ids live in a hash map.
 */
public final class SessionRegistry {

  private static final int DIRECT_LIMIT = 1 << 20;

  private final Int2ObjectHashMap<ClientSession> byUser = new Int2ObjectHashMap<>();
  private ClientSession[] direct = new ClientSession[64];
  private final List<ClientSession> all = new ArrayList<>();

  /** Adds {@code session}; returns the session it replaces for the same user, or null. */
  public ClientSession register(ClientSession session) {
    ClientSession previous = get(session.userId());
    put(session.userId(), session);
    if (previous != null) {
      removeFromList(previous);
    }
    session.registrySlot = all.size();
    all.add(session);
    return previous;
  }

  /** Removes {@code session} if it is still the user's current one; returns whether it was. */
  public boolean unregister(ClientSession session) {
    if (get(session.userId()) != session) {
      return false;
    }
    put(session.userId(), null);
    removeFromList(session);
    return true;
  }

  /** The current session of {@code user}, or null. */
  public ClientSession get(int user) {
    if (user >= 0 && user < direct.length) {
      return direct[user];
    }
    return user >= 0 && user < DIRECT_LIMIT ? null : byUser.get(user);
  }

  /**
   * Makes {@code session} (null: none) {@code user}'s: in the array if the id fits, else the map.
   */
  private void put(int user, ClientSession session) {
    if (user < 0 || user >= DIRECT_LIMIT) {
      if (session == null) {
        byUser.remove(user);
      } else {
        byUser.put(user, session);
      }
      return;
    }
    if (user >= direct.length) {
      if (session == null) {
        return;
      }
      direct = Arrays.copyOf(direct, Math.min(DIRECT_LIMIT, Integer.highestOneBit(user) << 1));
    }
    direct[user] = session;
  }

  /** How many users are connected. */
  public int size() {
    return all.size();
  }

  /**
   * The session in list slot {@code slot}, for iteration from {@code size() - 1} down to 0, which
   * stays valid when the visited session unregisters.
   */
  public ClientSession at(int slot) {
    return all.get(slot);
  }

  private void removeFromList(ClientSession session) {
    int slot = session.registrySlot;
    ClientSession last = all.remove(all.size() - 1);
    if (last != session) {
      all.set(slot, last);
      last.registrySlot = slot;
    }
    session.registrySlot = -1;
  }
}
