package io.followermaze.admin;

/**
 * Per-second totals of three counters (received, delivered, dead-lettered) in a ring of fixed size,
 * so rates over the last N seconds cost O(1) memory per second kept. One writer (the sampler)
 * records once a second; readers take {@link #window} snapshots. Synchronized: a few calls a
 * second.
 */
final class RateWindow {

  /**
   * Rates over a window.
   *
   * @param seconds how many seconds the rates cover (less than asked when the server is younger)
   * @param received events received per second
   * @param delivered events delivered per second
   * @param deadLettered dead letters per second
   */
  record Rates(int seconds, double received, double delivered, double deadLettered) {}

  private final long[][] totals;
  private long recorded;

  RateWindow(int capacitySeconds) {
    this.totals = new long[capacitySeconds + 1][3];
  }

  /** Records the totals as of this second. */
  synchronized void record(long received, long delivered, long deadLettered) {
    long[] slot = totals[(int) (recorded % totals.length)];
    slot[0] = received;
    slot[1] = delivered;
    slot[2] = deadLettered;
    recorded++;
  }

  /** The most seconds a window may cover. */
  int capacity() {
    return totals.length - 1;
  }

  /**
   * Per-second deltas of one counter ({@code 0} received, {@code 1} delivered, {@code 2}
   * dead-lettered) over the last {@code seconds} seconds recorded, oldest first.
   */
  synchronized long[] series(int counter, int seconds) {
    int span = (int) Math.min(seconds, Math.max(0, recorded - 1));
    long[] deltas = new long[span];
    for (int i = 0; i < span; i++) {
      long newer = recorded - span + i;
      deltas[i] =
          totals[(int) (newer % totals.length)][counter]
              - totals[(int) ((newer - 1) % totals.length)][counter];
    }
    return deltas;
  }

  /** Average rates over the last {@code seconds} seconds recorded. */
  synchronized Rates window(int seconds) {
    int span = (int) Math.min(seconds, Math.max(0, recorded - 1));
    if (span == 0) {
      return new Rates(0, 0, 0, 0);
    }
    long[] newest = totals[(int) ((recorded - 1) % totals.length)];
    long[] oldest = totals[(int) ((recorded - 1 - span) % totals.length)];
    return new Rates(
        span,
        (newest[0] - oldest[0]) / (double) span,
        (newest[1] - oldest[1]) / (double) span,
        (newest[2] - oldest[2]) / (double) span);
  }
}
