package io.followermaze.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short chaos campaign in CI: real server processes killed, stopped and run to the end on one
 * store, each cycle checked against the conservation law. {@code -Dseed=S} replays a campaign,
 * {@code -Dchaos.cycles=N} makes it longer ({@code bin/chaos} runs long ones).
 */
class ChaosCampaignIT {

  @TempDir Path work;

  @Test
  void nothingIsLostAcrossKillsStopsFullDisksPurgesAndRedrives() throws Exception {
    long seed = Long.getLong("seed", 1L);
    int cycles = Integer.getInteger("chaos.cycles", 10);
    ChaosCampaign.Report report = ChaosCampaign.run(seed, cycles, work, System.out);
    System.out.print(report.summary());
    assertThat(report.faults().getOrDefault(CycleScript.Fault.KILL, 0))
        .as("kill -9 and restart cycles")
        .isGreaterThanOrEqualTo(cycles / 2);
    assertThat(report.violations())
        .as("seed %d (replay: -Dseed=%d -Dchaos.cycles=%d)", seed, seed, cycles)
        .isEmpty();
  }
}
