package io.followermaze.delivery;

import io.followermaze.dlq.Reason;
import io.followermaze.protocol.Event;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of delivery, engine thread only: the connected sessions by user, their
 * wake-ups, and the slow-client policy (lag versus stall, and the global budget; see {@link
 * OutboxBudget}). Whatever a client loses goes to {@code undeliverable} as dead letters.
 */
public final class ConnectedClients {

  private static final Logger log = LoggerFactory.getLogger(ConnectedClients.class);
  private static final long STALL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final SessionRegistry sessions = new SessionRegistry();
  private final PendingWakeups wakeups;
  private final OutboxBudget outboxes;
  private final SlowClientPolicy policy;
  private final UndeliveredSink undeliverable;
  private long lastStallCheckNanos;
  private long notificationsQueued;

  /** Clients held to {@code limits}, woken after {@code linger}; losses go to {@code lost}. */
  public ConnectedClients(ClientLimits limits, Duration linger, UndeliveredSink lost) {
    this.wakeups = new PendingWakeups(linger);
    this.outboxes = limits.newBudget();
    this.policy = limits.policy();
    this.undeliverable = lost;
  }

  /** Registers {@code session}; returns the older session of the same user it replaces, or null. */
  public ClientSession register(ClientSession session) {
    ClientSession replaced = sessions.register(session);
    if (replaced != null) {
      outboxes.forget(replaced);
    }
    return replaced;
  }

  /** Removes {@code session} if it is still its user's current one. */
  public void unregister(ClientSession session) {
    if (sessions.unregister(session)) {
      outboxes.forget(session);
    }
  }

  /**
   * {@code session}'s writer has ended: it leaves the registry (if still in it) and what it held,
   * handed on next, no longer counts.
   */
  public void ended(ClientSession session) {
    unregister(session);
    outboxes.ended(session);
  }

  /** The current session of {@code user}, or null. */
  public ClientSession get(int user) {
    return sessions.get(user);
  }

  /** How many users are connected. */
  public int size() {
    return sessions.size();
  }

  /** Notifications queued for clients so far. */
  public long notificationsQueued() {
    return notificationsQueued;
  }

  /**
   * Queues {@code event} for {@code session} at {@code nowNanos}; a client that has stalled gets
   * the slow-client policy instead, and the notification becomes a {@code CLIENT_TOO_SLOW} letter.
   */
  public void queue(ClientSession session, Event event, long nowNanos) {
    if (outboxes.admits(session)) {
      enqueue(session, event, nowNanos);
      return;
    }
    if (!outboxes.stalled(session)) {
      // Not stalled, but the budget is held by evicted clients' backlogs: this one waits for room.
      undeliverable.notDelivered(session, event, Reason.CLIENT_TOO_SLOW, outboxes.budgetError());
      return;
    }
    String error = outboxes.stallError(session);
    if (policy == SlowClientPolicy.DISCONNECT) {
      tooSlow(session, error);
    }
    undeliverable.notDelivered(session, event, Reason.CLIENT_TOO_SLOW, error);
  }

  /** Queues {@code event} for every connected user. */
  public void queueToEveryone(Event event, long nowNanos) {
    for (int slot = sessions.size() - 1; slot >= 0; slot--) {
      queue(sessions.at(slot), event, nowNanos);
    }
  }

  /**
   * Queues a redriven {@code event} for {@code user} if connected and not stalled; returns whether
   * it was queued (if not, it stays parked).
   */
  public boolean queueRedriven(int user, Event event, long nowNanos) {
    ClientSession session = sessions.get(user);
    if (session == null || !outboxes.admits(session)) {
      return false;
    }
    enqueue(session, event, nowNanos);
    return true;
  }

  private void enqueue(ClientSession session, Event event, long nowNanos) {
    session.enqueue(event);
    outboxes.queued(event.line().length);
    notificationsQueued++;
    wakeups.add(session, nowNanos);
  }

  /**
   * The end of a batch, input having last arrived at {@code lastInputNanos}: wakes the writers that
   * are due ({@link PendingWakeups}), then applies the slow-client policy to clients that stalled
   * (checked at most every 100 ms) and to the largest backlogs while all together exceed the
   * budget.
   */
  public void endBatch(long nowNanos, long lastInputNanos) {
    wakeups.wakeAll(nowNanos, lastInputNanos);
    evictStalled(nowNanos);
    enforceBudget();
  }

  /** Whether some writer still waits for a wake-up (overflow to move, or a linger to pass). */
  public boolean wakeupsPending() {
    return wakeups.overflowing();
  }

  /** When the next pending wake-up is due ({@link PendingWakeups#nextDueNanos}). */
  public long wakeupsDueNanos() {
    return wakeups.nextDueNanos();
  }

  /** A stalled client is too slow even when nothing new arrives for it: checked while idle too. */
  public void evictStalled(long nowNanos) {
    if (nowNanos - lastStallCheckNanos < STALL_CHECK_NANOS) {
      return;
    }
    lastStallCheckNanos = nowNanos;
    for (ClientSession session : outboxes.stalledClients()) {
      tooSlow(session, outboxes.stallError(session));
    }
  }

  /** Unregisters and retires every session: each sends what it has queued and closes. */
  public void retireAll() {
    for (int slot = sessions.size() - 1; slot >= 0; slot--) {
      ClientSession session = sessions.at(slot);
      unregister(session);
      session.retire();
    }
  }

  /**
   * While all backlogs together exceed the budget: under the dead-letter policy, the largest
   * overflow (what waits outside a writer's ring) is dead-lettered first; when no overflow is left
   * to drop (stalled writers' rings hold the rest), or under the disconnect policy, the client with
   * the largest backlog is disconnected, and what its writer did not send becomes dead letters. So
   * the budget holds under either policy.
   */
  private void enforceBudget() {
    for (int i = 2 * sessions.size(); i > 0; i--) {
      ClientSession worst = outboxes.overBudget(sessions);
      if (worst == null) {
        return;
      }
      String error =
          "outbox budget of "
              + outboxes.budgetBytes()
              + " bytes exceeded; this client's backlog was the largest ("
              + worst.backlogBytes()
              + " bytes)";
      ClientSession overflowing = policy == SlowClientPolicy.DEAD_LETTER ? largestOverflow() : null;
      if (overflowing != null) {
        tooSlow(overflowing, error);
      } else {
        disconnect(worst, error);
      }
    }
  }

  /** The registered session with the most bytes outside its writer's ring, or null if none has. */
  private ClientSession largestOverflow() {
    ClientSession largest = null;
    for (int slot = sessions.size() - 1; slot >= 0; slot--) {
      ClientSession session = sessions.at(slot);
      if (session.overflowBytes() > 0
          && (largest == null || session.overflowBytes() > largest.overflowBytes())) {
        largest = session;
      }
    }
    return largest;
  }

  /**
   * Applies the slow-client policy to {@code session}: disconnected, or (dead-letter policy) its
   * backlog beyond the ring dropped; either way what it loses becomes dead letters.
   */
  private void tooSlow(ClientSession session, String error) {
    if (policy == SlowClientPolicy.DISCONNECT) {
      disconnect(session, error);
      return;
    }
    long dropped = session.dropOverflow(undeliverable, Reason.CLIENT_TOO_SLOW, error);
    outboxes.dropped(dropped);
    if (dropped > 0) {
      log.warn(
          "dead-lettered {} bytes queued for slow client {}: {}", dropped, session.origin(), error);
    }
  }

  /** Disconnects {@code session} as too slow; its writer hands on what it did not send. */
  private void disconnect(ClientSession session, String error) {
    outboxes.dropped(session.dropOverflow(undeliverable, Reason.CLIENT_TOO_SLOW, error));
    log.warn("disconnecting slow client {}: {}", session.origin(), error);
    if (sessions.unregister(session)) {
      outboxes.evicted(session);
    }
    session.close(Reason.CLIENT_TOO_SLOW, error);
  }
}
