package io.followermaze.bench;

import java.util.Locale;

/**
 * The outcome of a bench run.
 *
 * @param failure the first difference or error, or null when the run passed
 * @param events events sent, warm-up broadcasts included
 * @param clients clients connected
 * @param seconds from the first event after warm-up to the last line received
 * @param notifications lines received by all clients together (warm-ups excluded)
 * @param latencyP50Micros median delivery latency
 * @param latencyP99Micros 99th percentile delivery latency
 * @param latencyMaxMicros worst delivery latency
 * @param serverRssPeakBytes the server's peak sampled resident set size, or -1 if unknown
 * @param expectedOffline notifications for users that were not connected (server dead letters)
 */
public record BenchResult(
    String failure,
    long events,
    int clients,
    double seconds,
    long notifications,
    long latencyP50Micros,
    long latencyP99Micros,
    long latencyMaxMicros,
    long serverRssPeakBytes,
    long expectedOffline) {

  /** Whether every client received exactly its lines. */
  public boolean passed() {
    return failure == null;
  }

  /** Events per second over the run. */
  public double eventsPerSecond() {
    return seconds > 0 ? events / seconds : 0;
  }

  /** Notifications per second over the run. */
  public double notificationsPerSecond() {
    return seconds > 0 ? notifications / seconds : 0;
  }

  /** The one-line summary the bench prints last. */
  public String summary() {
    String rss = serverRssPeakBytes < 0 ? "n/a" : (serverRssPeakBytes >> 20) + "MiB";
    return String.format(
        Locale.ROOT,
        "%s events=%d clients=%d time=%.2fs events/s=%.0f notifications=%d notifications/s=%.0f"
            + " latency_p50=%.1fms latency_p99=%.1fms latency_max=%.1fms server_rss_peak=%s"
            + " expected_dead_letters_offline=%d%s",
        passed() ? "PASS" : "FAIL",
        events, clients, seconds, eventsPerSecond(), notifications, notificationsPerSecond(),
        latencyP50Micros / 1000.0, latencyP99Micros / 1000.0, latencyMaxMicros / 1000.0, rss, expectedOffline,
        passed() ? "" : " reason=\"" + failure + "\"");
  }
}
