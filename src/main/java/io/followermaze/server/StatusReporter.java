package io.followermaze.server;

import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineStats;
import io.followermaze.lifecycle.Roles;
import java.time.Duration;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one progress line per interval while the engine's counters move, so long runs are visible. A
 * role ({@code lifecycle.Roles}): a line that fails is counted and the next interval reports again
 * (a scheduled executor would have silently stopped).
 */
final class StatusReporter implements Agent {

  private static final Logger log = LoggerFactory.getLogger("status");

  private final Engine engine;
  private final long intervalMillis;
  private final double intervalSeconds;
  private EngineStats last = EngineStats.EMPTY;

  private StatusReporter(Engine engine, Duration interval) {
    this.engine = engine;
    this.intervalMillis = interval.toMillis();
    this.intervalSeconds = intervalMillis / 1000.0;
  }

  /** Starts reporting every {@code interval} as one of {@code roles}; null for a zero interval. */
  static AutoCloseable start(Roles roles, Engine engine, Duration interval) {
    if (interval.isZero()) {
      return null;
    }
    StatusReporter reporter = new StatusReporter(engine, interval);
    return roles.start(reporter, new SleepingMillisIdleStrategy(reporter.intervalMillis));
  }

  @Override
  public String roleName() {
    return "status";
  }

  /** One line (if anything moved); the role then sleeps for the interval. */
  @Override
  public int doWork() {
    report();
    return 0;
  }

  private void report() {
    EngineStats now = engine.stats();
    if (now.equals(last)) {
      return;
    }
    log.info(
        "events received {} ({}/s), delivered {}, malformed {}, notifications {} ({}/s), dead letters {}, clients {}, held out of order {}",
        now.eventsReceived(),
        rate(now.eventsReceived() - last.eventsReceived()),
        now.eventsDelivered(),
        now.linesMalformed(),
        now.notificationsQueued(),
        rate(now.notificationsQueued() - last.notificationsQueued()),
        now.deadLetters(),
        now.connectedClients(),
        now.reorderDepth());
    last = now;
  }

  private long rate(long delta) {
    return Math.round(delta / intervalSeconds);
  }
}
