package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterStats;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.Reason;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code followermaze dlq stats}. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = "Counts by reason, oldest and newest, size on disk.")
final class DlqStatsCommand implements Runnable {

  @ParentCommand DlqCommand dlq;

  @Override
  public void run() {
    try (DlqOperations store = dlq.open()) {
      DeadLetterStats stats = store.stats();
      System.out.printf(
          "dead letters: %d in %s%s%n",
          stats.total(),
          store.describe(),
          stats.bytesOnDisk() < 0
              ? ""
              : String.format(" (%.1f MiB on disk)", stats.bytesOnDisk() / 1048576.0));
      print(stats);
    }
  }

  private static void print(DeadLetterStats stats) {
    for (Map.Entry<Reason, Long> entry : stats.byReason().entrySet()) {
      System.out.printf(
          "  %-20s %-14s %,d%n", entry.getKey(), entry.getKey().category(), entry.getValue());
    }
    if (stats.total() > 0) {
      System.out.printf(
          "oldest: %s%nnewest: %s%n",
          Instant.ofEpochMilli(stats.oldestMillis()), Instant.ofEpochMilli(stats.newestMillis()));
    }
    System.out.printf("removed by retention: %,d%n", stats.removedByRetention());
    if (stats.awaitingIndex() > 0) {
      System.out.printf(
          "committed, not yet indexed: %,d (the running server indexes them when idle)%n",
          stats.awaitingIndex());
    }
  }
}
