package io.followermaze.server;

import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineStats;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one progress line per interval while the engine's counters move, so long runs are visible.
 */
final class StatusReporter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("status");

  private final Engine engine;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("status").daemon().factory());
  private final double intervalSeconds;
  private EngineStats last = EngineStats.EMPTY;

  StatusReporter(Engine engine, Duration interval) {
    this.engine = engine;
    this.intervalSeconds = interval.toMillis() / 1000.0;
    if (!interval.isZero()) {
      timer.scheduleAtFixedRate(
          this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
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

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
