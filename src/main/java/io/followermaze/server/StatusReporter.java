package io.followermaze.server;

import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineStats;
import io.followermaze.lifecycle.Roles;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one progress line per interval while the engine's counters move, so long runs are visible.
 * It runs as a role ({@code lifecycle.Roles#every}): a line that fails is counted and the next
 * interval reports again (a scheduled executor would have silently stopped).
 */
final class StatusReporter {

  private static final Logger log = LoggerFactory.getLogger("status");

  private final Engine engine;
  private final double intervalSeconds;
  private EngineStats last = EngineStats.EMPTY;

  private StatusReporter(Engine engine, Duration interval) {
    this.engine = engine;
    this.intervalSeconds = interval.toMillis() / 1000.0;
  }

  /** Starts reporting every {@code interval} as one of {@code roles}; none for a zero interval. */
  static java.util.Optional<AutoCloseable> start(Roles roles, Engine engine, Duration interval) {
    return interval.isZero()
        ? java.util.Optional.empty()
        : java.util.Optional.of(
            roles.every("status", interval, new StatusReporter(engine, interval)::report));
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
