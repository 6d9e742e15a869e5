package io.followermaze.admin;

import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.engine.EngineStats;
import io.followermaze.server.Server;

/**
 * {@code GET /stats}: per-second and per-minute rates over a window of up to an hour (sampled once
 * a second by the {@code stats-sampler} role), the series behind the dashboard's charts, and the
 * totals.
 */
final class StatsEndpoint {

  private static final int DEFAULT_WINDOW = 60;

  private final Server server;
  private final LoggingDeadLetterSink deadLetters;
  private final RateWindow window = new RateWindow(3600);

  StatsEndpoint(Server server, LoggingDeadLetterSink deadLetters) {
    this.server = server;
    this.deadLetters = deadLetters;
  }

  /** Records the totals now (once a second). */
  void sample() {
    EngineStats stats = server.stats();
    window.record(stats.eventsReceived(), stats.eventsDelivered(), deadLetters.total());
  }

  /** The figures over the last {@code window_size} seconds (60 by default) and the totals. */
  String json(QueryParameters query) {
    Long asked = query.number("window_size", 1, window.capacity());
    int seconds = asked == null ? DEFAULT_WINDOW : asked.intValue();
    RateWindow.Rates rates = window.window(seconds);
    EngineStats totals = server.stats();
    return AdminJson.object(
        g -> {
          g.writeNumberField("windowSize", seconds);
          g.writeNumberField("secondsCovered", rates.seconds());
          g.writeObjectFieldStart("perSecond");
          g.writeNumberField("received", rates.received());
          g.writeNumberField("delivered", rates.delivered());
          g.writeNumberField("deadLettered", rates.deadLettered());
          g.writeEndObject();
          g.writeObjectFieldStart("perMinute");
          g.writeNumberField("received", rates.received() * 60);
          g.writeNumberField("delivered", rates.delivered() * 60);
          g.writeNumberField("deadLettered", rates.deadLettered() * 60);
          g.writeEndObject();
          g.writeObjectFieldStart("series");
          String[] names = {"received", "delivered", "deadLettered"};
          for (int counter = 0; counter < names.length; counter++) {
            g.writeArrayFieldStart(names[counter]);
            for (long perSecond : window.series(counter, seconds)) {
              g.writeNumber(perSecond);
            }
            g.writeEndArray();
          }
          g.writeEndObject();
          g.writeObjectFieldStart("totals");
          g.writeNumberField("received", totals.eventsReceived());
          g.writeNumberField("delivered", totals.eventsDelivered());
          g.writeNumberField("malformed", totals.linesMalformed());
          g.writeNumberField("notifications", totals.notificationsQueued());
          g.writeNumberField("deadLettered", deadLetters.total());
          g.writeNumberField("connectedClients", totals.connectedClients());
          g.writeNumberField("reorderDepth", totals.reorderDepth());
          g.writeEndObject();
        });
  }
}
