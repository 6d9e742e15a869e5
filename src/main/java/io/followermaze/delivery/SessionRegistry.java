package io.followermaze.delivery;

import java.util.ArrayList;
import java.util.List;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The connected sessions by user id, plus a dense list for broadcasts. One session per user: a
 * newer connection for the same id replaces the older one. Not thread-safe: the engine thread owns
 * it.
 */
public final class SessionRegistry {

  private final Int2ObjectHashMap<ClientSession> byUser = new Int2ObjectHashMap<>();
  private final List<ClientSession> all = new ArrayList<>();

  /** Adds {@code session}; returns the session it replaces for the same user, or null. */
  public ClientSession register(ClientSession session) {
    ClientSession previous = byUser.put(session.userId(), session);
    if (previous != null) {
      removeFromList(previous);
    }
    session.registrySlot = all.size();
    all.add(session);
    return previous;
  }

  /** Removes {@code session} if it is still the user's current one; returns whether it was. */
  public boolean unregister(ClientSession session) {
    if (byUser.get(session.userId()) != session) {
      return false;
    }
    byUser.remove(session.userId());
    removeFromList(session);
    return true;
  }

  /** The current session of {@code user}, or null. */
  public ClientSession get(int user) {
    return byUser.get(user);
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
