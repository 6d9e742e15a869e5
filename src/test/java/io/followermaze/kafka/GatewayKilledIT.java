package io.followermaze.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.cli.FollowerMaze;
import io.followermaze.dlq.Reason;
import io.followermaze.testing.Cluster;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.UserClient;
import java.io.File;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway process killed with {@code kill -9} says no goodbye: its users' presence entries stay
 * in the topic. Leases end them: once its heartbeats are older than the lease, each such user's
 * owner dead-letters the user's notifications again (before, nobody ever did).
 */
class GatewayKilledIT {

  @TempDir Path kafkaDir;
  @TempDir Path gatewayDir;

  @Test
  void theUsersOfAGatewayKilledWithoutGoodbyeAreDeadLetteredByTheirOwnersOnceItsLeaseEnds()
      throws Exception {
    try (Cluster cluster = new Cluster(kafkaDir, 2);
        EventSource source = new EventSource(cluster.sequencer.eventPort())) {
      Cluster.Gateway g1 = cluster.gateways.get(1);
      cluster.gateways.get(0).close(); // gateway 0 runs as its own process instead
      int port = freePort();
      Process g0 = forkGateway(cluster, port);
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> accepts(port));
        try (UserClient five = UserClient.connect(port, 5)) {
          // User 5 belongs to gateway 1 (5 mod 2) but is held by gateway 0.
          await().atMost(Duration.ofSeconds(30)).until(() -> !g1.presence.test(5));
          source.send("1|P|1|5");
          assertThat(five.awaitLines(1)).containsExactly("1|P|1|5");

          g0.destroyForcibly(); // SIGKILL: no tombstone, no goodbye
          assertThat(g0.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        AtomicLong next = new AtomicLong(2);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () -> {
                  source.send(next.getAndIncrement() + "|P|1|5");
                  return g1.deadLetters.withReason(Reason.USER_NOT_CONNECTED).stream()
                      .anyMatch(l -> l.recipient() == 5);
                });
        assertThat(g1.presence.test(5)).as("gateway 1 owns user 5 again").isTrue();
      } finally {
        g0.destroyForcibly();
      }
    }
  }

  private Process forkGateway(Cluster cluster, int port) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            List.of(
                java,
                "-Xmx256m",
                "--add-opens",
                "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                FollowerMaze.class.getName(),
                "gateway",
                "--kafka-bootstrap",
                cluster.broker.bootstrap(),
                "--gateway-id",
                "g0",
                "--gateways",
                "2",
                "--gateway-index",
                "0",
                "--client-port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dlq",
                "log",
                "--presence-lease",
                Cluster.LEASE.toMillis() + "ms",
                "--status-interval",
                "0s"))
        .redirectErrorStream(true)
        .redirectOutput(new File(gatewayDir.toFile(), "gateway.log"))
        .start();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try {
      new Socket("127.0.0.1", port).close();
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
