package io.followermaze.delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * The sessions that got notifications during the current batch, each listed once, so the engine
 * wakes every writer once per batch rather than once per notification. Engine thread only.
 */
public final class PendingWakeups {

  private final List<ClientSession> sessions = new ArrayList<>();

  /** Notes that {@code session} has new work. */
  public void add(ClientSession session) {
    if (!session.dirty) {
      session.dirty = true;
      sessions.add(session);
    }
  }

  /** Wakes every noted session's writer and forgets them. */
  public void wakeAll() {
    for (int i = 0, n = sessions.size(); i < n; i++) {
      ClientSession session = sessions.get(i);
      session.dirty = false;
      session.wake();
    }
    sessions.clear();
  }
}
