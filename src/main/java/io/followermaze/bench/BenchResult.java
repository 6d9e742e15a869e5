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
 * @param server the server's sampled RSS and open file descriptors (empty when it is not local)
 * @param expectedOffline notifications for users that were not connected (server dead letters)
 * @param unreliable what the churning, stuck and slow clients saw
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
    ResourceTrend server,
    long expectedOffline,
    UnreliableOutcome unreliable,
    ServerCost cost) {

  /**
   * What the run cost the server.
   *
   * @param cpuSeconds user + system CPU from the first event to the last delivery (-1: unknown)
   * @param settledCpuSeconds the same until the server went idle afterwards, deferred work included
   * @param storeBytes the measured store's size after the run (-1: none measured)
   */
  public record ServerCost(double cpuSeconds, double settledCpuSeconds, long storeBytes) {
    /** Nothing measured. */
    public static final ServerCost NONE = new ServerCost(-1, -1, -1);
  }

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
    long peak = server.peakRssBytes();
    String rss = peak < 0 ? "n/a" : (peak >> 20) + "MiB";
    return String.format(
        Locale.ROOT,
        "%s events=%d clients=%d time=%.2fs events/s=%.0f notifications=%d notifications/s=%.0f"
            + " latency_p50=%.1fms latency_p99=%.1fms latency_max=%.1fms server_rss_peak=%s"
            + " expected_dead_letters_offline=%d%s%s%s%s",
        passed() ? "PASS" : "FAIL",
        events,
        clients,
        seconds,
        eventsPerSecond(),
        notifications,
        notificationsPerSecond(),
        latencyP50Micros / 1000.0,
        latencyP99Micros / 1000.0,
        latencyMaxMicros / 1000.0,
        rss,
        expectedOffline,
        unreliable.connections() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                " unreliable_connections=%d unreliable_received=%d expected_dead_letters_unreliable=%d",
                unreliable.connections(),
                unreliable.received(),
                unreliable.missingCount()),
        server.samples() < 20
            ? ""
            : String.format(
                Locale.ROOT,
                " server_rss_settled=%dMiB server_rss_final=%dMiB server_fds_settled=%d server_fds_final=%d",
                server.settledRssBytes() >> 20,
                server.finalRssBytes() >> 20,
                server.settledOpenFiles(),
                server.finalOpenFiles()),
        costs(),
        passed() ? "" : " reason=\"" + failure + "\"");
  }

  /** Server CPU per event and per notification, dead letters and store bytes per event. */
  private String costs() {
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                " dead_letters_per_event=%.2f",
                events == 0 ? 0 : (double) expectedOffline / events));
    if (cost.cpuSeconds() >= 0) {
      text.append(
          String.format(
              Locale.ROOT,
              " server_cpu=%.2fs server_cpu_per_million_events=%.2fs"
                  + " notifications_per_cpu_second=%.0f",
              cost.cpuSeconds(),
              cost.cpuSeconds() * 1e6 / Math.max(1, events),
              notifications / Math.max(0.01, cost.cpuSeconds())));
    }
    if (cost.settledCpuSeconds() >= 0) {
      text.append(
          String.format(Locale.ROOT, " server_cpu_settled=%.2fs", cost.settledCpuSeconds()));
    }
    if (cost.storeBytes() >= 0) {
      text.append(
          String.format(
              Locale.ROOT,
              " store_bytes=%d store_bytes_per_event=%.1f",
              cost.storeBytes(),
              (double) cost.storeBytes() / Math.max(1, events)));
    }
    return text.toString();
  }
}
