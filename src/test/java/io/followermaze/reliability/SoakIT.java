package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import io.followermaze.testing.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak (opt-in: {@code mvn verify -Psoak} or {@code bin/soak}): the real server process under
 * continuous paced load with the durable DLQ on; afterwards RSS must be flat after warm-up, open
 * file descriptors must not grow, the server must log no error and stop cleanly. Length and rate
 * from {@code -Dsoak.duration} (30m) and {@code -Dsoak.rate} (events/s; 1,300,000: about half of
 * what this workload peaks at on a 2-core machine).
 */
class SoakIT {

  private static final long MIB = 1 << 20;

  @TempDir Path dataDir;

  @Test
  void thirtyMinutesAtHalfTheMaximumRateLeaveMemoryAndFileDescriptorsFlatAndNoErrors()
      throws Exception {
    Duration duration =
        Duration.parse(
            "PT" + System.getProperty("soak.duration", "30m").toUpperCase(java.util.Locale.ROOT));
    long rate = Long.getLong("soak.rate", 1_300_000);
    int clients = Integer.getInteger("soak.clients", 100);
    int users = Integer.getInteger("soak.users", 110);
    try (ServerProcess server = new ServerProcess(dataDir)) {
      BenchOptions options =
          new BenchOptions(
              "127.0.0.1",
              server.eventPort,
              server.clientPort,
              Long.MAX_VALUE,
              clients,
              users,
              100,
              42,
              duration.plusMinutes(10),
              Duration.ofMinutes(1),
              BenchOptions.Unreliable.NONE,
              new BenchOptions.Pace(rate, duration));
      System.out.printf(
          "soak: %s at %d events/s, %d clients, %d users%n", duration, rate, clients, users);
      BenchResult result = Bench.run(options, System.out);
      System.out.println("soak: " + result.summary());

      assertThat(result.failure()).isNull();
      assertThat(result.server().finalRssBytes())
          .as("RSS in the last quarter vs the second quarter")
          .isLessThanOrEqualTo(result.server().settledRssBytes() * 11 / 10 + 16 * MIB);
      assertThat(result.server().finalOpenFiles())
          .as("open files in the last quarter vs the second quarter")
          .isLessThanOrEqualTo(result.server().settledOpenFiles() + 8);
      assertThat(server.errors()).as("server log errors").isEmpty();
      assertThat(server.stop())
          .as(
              "graceful stop: %s",
              server.log.subList(Math.max(0, server.log.size() - 20), server.log.size()))
          .isZero();
    }
  }
}
