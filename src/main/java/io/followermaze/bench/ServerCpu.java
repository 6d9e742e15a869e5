package io.followermaze.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time a local process has used (user + system, from {@code /proc/<pid>/stat}, fields 14
 * and 15): the figure that stays comparable on a shared machine, where wall time drifts. Best
 * effort: -1 when the process cannot be read.
 */
public final class ServerCpu {

  /** Linux reports these fields in clock ticks of 1/100 s on every platform it runs on here. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ServerCpu() {}

  /** CPU seconds used by {@code pid} so far, or -1. */
  public static double seconds(long pid) {
    if (pid < 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces; fields are counted after its closing
      // parenthesis.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Waits until {@code pid} is idle (under 5% of a core for four half-second samples in a row) or
   * {@code maxMillis} pass, so that work the server defers (indexing dead letters) is counted too;
   * returns its CPU seconds then, or -1.
   */
  public static double settled(long pid, long maxMillis) throws InterruptedException {
    double last = seconds(pid);
    int quiet = 0;
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    while (last >= 0 && quiet < 4 && System.nanoTime() < deadline) {
      Thread.sleep(500);
      double now = seconds(pid);
      quiet = now >= 0 && now - last < 0.025 ? quiet + 1 : 0;
      last = now;
    }
    return last;
  }
}
