package io.followermaze.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Which clients are too slow, told apart from those that merely lag (engine thread only).
 *
 * <p>A client may hold any backlog while its writer keeps making progress: a burst is absorbed,
 * however large. Past {@code clientBufferBytes}, a client whose writer has been stuck inside one
 * write for {@code stallTimeout} has stalled and takes no more ({@link #admits}). And all backlogs
 * together stay within {@code budgetBytes}: when they exceed it, the client with the largest
 * backlog goes first ({@link #overBudget}). Nothing is lost either way: what an evicted client did
 * not receive becomes dead letters.
 *
 * <p>An evicted client's backlog is memory until its writer has ended and the engine has handed the
 * rest on as dead letters ({@link #evicted}, {@link #ended}); while some is, a client past its
 * buffer takes nothing more unless all backlogs and those together are within the budget. So
 * evictions cannot make room faster than it is freed.
 *
 * <p>The running total is an upper bound, cheap to keep (writers report their progress to their own
 * session only): it grows with every queued line and is made exact by a rescan of all sessions when
 * it crosses the budget, at most once per {@code budgetBytes / 16} of growth while under it.
 */
public final class OutboxBudget {

  private final long clientBufferBytes;
  private final long stallNanos;
  private final long budgetBytes;
  private final List<ClientSession> lagging = new ArrayList<>();
  private final java.util.Map<ClientSession, Long> evicted = new java.util.IdentityHashMap<>();
  private long total;
  private long draining;
  private long rescanAt;

  /**
   * @param clientBufferBytes the backlog a client may hold before a stall counts against it
   * @param stallTimeout how long a write may stay stuck before the client has stalled
   * @param budgetBytes the most all backlogs together may hold
   */
  public OutboxBudget(long clientBufferBytes, Duration stallTimeout, long budgetBytes) {
    this.clientBufferBytes = clientBufferBytes;
    this.stallNanos = stallTimeout.toNanos();
    this.budgetBytes = budgetBytes;
  }

  /**
   * Whether {@code session} may take one more notification: always while its backlog is within the
   * client buffer; past it while its writer keeps draining, and (while evicted clients' backlogs
   * are still held) all backlogs are within the budget; never once it has stalled.
   */
  public boolean admits(ClientSession session) {
    if (session.backlogBytes() < clientBufferBytes) {
      return true;
    }
    if (!session.lagging) {
      session.lagging = true;
      lagging.add(session);
    }
    return !stalled(session) && (draining == 0 || total + draining <= budgetBytes);
  }

  /**
   * The clients that have stalled, checked among those that were past their buffer when last queued
   * to: so a stalled client is found even when nothing new arrives for it.
   */
  public List<ClientSession> stalledClients() {
    List<ClientSession> stalled = new ArrayList<>();
    for (int i = lagging.size() - 1; i >= 0; i--) {
      ClientSession session = lagging.get(i);
      boolean isStalled = !session.isClosed() && stalled(session);
      if (isStalled || session.isClosed() || session.backlogBytes() < clientBufferBytes) {
        session.lagging = false;
        lagging.set(i, lagging.getLast());
        lagging.removeLast();
      }
      if (isStalled) {
        stalled.add(session);
      }
    }
    return stalled;
  }

  /**
   * Whether {@code session} holds more than the client buffer and its writer has been stuck in one
   * write for the stall timeout.
   */
  public boolean stalled(ClientSession session) {
    total -= session.takenSinceLastCall();
    return session.backlogBytes() >= clientBufferBytes
        && session.stalledNanos(System.nanoTime()) >= stallNanos;
  }

  /** Why {@code session} was not admitted, for logs and dead letters. */
  public String stallError(ClientSession session) {
    return "client stalled: "
        + session.backlogBytes()
        + " bytes waiting and no write completed for "
        + Duration.ofNanos(session.stalledNanos(System.nanoTime())).toMillis()
        + " ms";
  }

  /** {@code bytes} were queued for some session. */
  public void queued(int bytes) {
    total += bytes;
  }

  /** {@code bytes} queued for a registered session were dropped (dead-lettered) by the engine. */
  public void dropped(long bytes) {
    total -= bytes;
  }

  /** {@code session} left the registry: its backlog no longer counts. */
  public void forget(ClientSession session) {
    total -= session.backlogBytes();
  }

  /**
   * {@code session} was evicted from the registry: its backlog counts as held until it {@link
   * #ended}.
   */
  public void evicted(ClientSession session) {
    long bytes = session.backlogBytes();
    total -= bytes;
    if (evicted.putIfAbsent(session, bytes) == null) {
      draining += bytes;
    }
  }

  /** {@code session}'s writer has ended and what it held was handed on: no longer held. */
  public void ended(ClientSession session) {
    Long bytes = evicted.remove(session);
    if (bytes != null) {
      draining -= bytes;
    }
  }

  /** Why {@code session} was not admitted though it has not stalled, for dead letters. */
  public String budgetError() {
    return "outbox budget of "
        + budgetBytes
        + " bytes in use ("
        + total
        + " bytes queued, "
        + draining
        + " bytes of evicted clients not yet handed on)";
  }

  /**
   * If all backlogs together exceed the budget, the registered session with the largest; else null.
   */
  public ClientSession overBudget(SessionRegistry sessions) {
    if (total <= budgetBytes || total < rescanAt) {
      return null;
    }
    long exact = 0;
    ClientSession worst = null;
    for (int slot = sessions.size() - 1; slot >= 0; slot--) {
      ClientSession session = sessions.at(slot);
      session.takenSinceLastCall();
      exact += session.backlogBytes();
      if (worst == null || session.backlogBytes() > worst.backlogBytes()) {
        worst = session;
      }
    }
    total = exact;
    if (exact <= budgetBytes) {
      rescanAt = exact + budgetBytes / 16;
      return null;
    }
    rescanAt = 0;
    return worst;
  }

  /** What all backlogs hold together (an upper bound, exact after a rescan). */
  public long bytes() {
    return total;
  }

  /** The budget, for messages. */
  public long budgetBytes() {
    return budgetBytes;
  }
}
