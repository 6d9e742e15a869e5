package io.followermaze.delivery;

import java.util.ArrayList;
import java.util.List;

/**
 * The sessions that got notifications during the current batch, each listed once, so the engine
 * wakes every writer once per batch rather than once per notification. Sessions whose overflow
 * could not all move into their ring stay listed for the next round. With a linger, a writer is
 * woken at most once per linger while notifications keep coming for it: the first after a pause
 * goes at once, later ones wait until the linger has passed since the last wake-up, unless what
 * waits already fills a write (Nagle's idea, and Kafka's {@code linger.ms}): fewer, larger writes
 * under load, no added latency when a client's traffic is sparse. A writer lingers only while input
 * keeps coming: once none has arrived for a fifth of the linger, everything noted goes out (so the
 * end of a burst is not held back). Engine thread only.
 */
public final class PendingWakeups {

  private final long lingerNanos;
  private final long pauseNanos;

  /** Wake-ups with a linger of {@code linger} (zero: every batch). */
  public PendingWakeups(java.time.Duration linger) {
    this.lingerNanos = linger.toNanos();
    this.pauseNanos = lingerNanos / 5;
  }

  private List<ClientSession> sessions = new ArrayList<>();
  private List<ClientSession> next = new ArrayList<>();

  /** When the next round has work: the earliest linger to end, or now for overflow to move. */
  private long nextDueNanos = Long.MAX_VALUE;

  /** Notes that {@code session} has new work as of {@code nowNanos}. */
  public void add(ClientSession session, long nowNanos) {
    if (!session.dirty) {
      session.dirty = true;
      session.dueNanos =
          session.wokenOnce && nowNanos - (session.wokenNanos + lingerNanos) < 0
              ? session.wokenNanos + lingerNanos
              : nowNanos;
      sessions.add(session);
    }
  }

  /**
   * Refills every noted session that is due at {@code nowNanos}, input having last arrived at
   * {@code lastInputNanos}, and wakes it (with no linger: always). Sessions not yet due, or with
   * overflow left, stay noted for the next round.
   */
  public void wakeAll(long nowNanos, long lastInputNanos) {
    boolean inputPaused = nowNanos - lastInputNanos >= pauseNanos;
    long due = Long.MAX_VALUE;
    for (int i = 0, n = sessions.size(); i < n; i++) {
      ClientSession session = sessions.get(i);
      if (!inputPaused
          && nowNanos - session.dueNanos < 0
          && !session.isClosed()
          && !session.fillsAWrite()) {
        next.add(session);
        due = Math.min(due, Math.min(session.dueNanos, lastInputNanos + pauseNanos));
        continue;
      }
      boolean more = session.refill() && !session.isClosed();
      session.wake(nowNanos);
      if (more) {
        next.add(session);
        session.dueNanos = nowNanos; // due again next round, to refill
        due = nowNanos;
      } else {
        session.dirty = false;
      }
    }
    sessions.clear();
    nextDueNanos = due;
    List<ClientSession> swap = sessions;
    sessions = next;
    next = swap;
  }

  /** Whether some session is still noted (overflow waiting for room, or lingering). */
  public boolean overflowing() {
    return !sessions.isEmpty();
  }

  /**
   * When the sessions still noted after the last {@link #wakeAll} are due (their earliest linger
   * end; that round's time when overflow waits for room), or {@link Long#MAX_VALUE} if none is: an
   * idle engine sleeps until then rather than polling.
   */
  public long nextDueNanos() {
    return sessions.isEmpty() ? Long.MAX_VALUE : nextDueNanos;
  }
}
