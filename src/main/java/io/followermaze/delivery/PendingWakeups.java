package io.followermaze.delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * The sessions that got notifications during the current batch, each listed once, so the engine
 * wakes every writer once per batch rather than once per notification. Sessions whose overflow
 * could not all move into their ring stay listed for the next round. Engine thread only.
 */
public final class PendingWakeups {

  private List<ClientSession> sessions = new ArrayList<>();
  private List<ClientSession> next = new ArrayList<>();

  /** Notes that {@code session} has new work. */
  public void add(ClientSession session) {
    if (!session.dirty) {
      session.dirty = true;
      sessions.add(session);
    }
  }

  /** Refills and wakes every noted session; keeps those with overflow left for the next round. */
  public void wakeAll() {
    for (int i = 0, n = sessions.size(); i < n; i++) {
      ClientSession session = sessions.get(i);
      boolean more = session.refill() && !session.isClosed();
      session.wake();
      if (more) {
        next.add(session);
      } else {
        session.dirty = false;
      }
    }
    sessions.clear();
    List<ClientSession> swap = sessions;
    sessions = next;
    next = swap;
  }

  /** Whether some session still has overflow waiting for room in its ring. */
  public boolean overflowing() {
    return !sessions.isEmpty();
  }
}
