package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.testing.EventSource;
import io.followermaze.testing.ServerProcess;
import io.followermaze.testing.UserClient;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server under {@code ulimit -n 256} that more clients connect to than it has descriptors for: it
 * refuses what it cannot accept with a back-off and a few log lines (no hot loop, no log flood),
 * and serves new clients as soon as descriptors are free again.
 */
class FileDescriptorExhaustionIT {

  @TempDir Path dir;

  @Test
  void runningOutOfDescriptorsIsSurvivedAndServingResumesOnceTheyAreFree() throws Exception {
    try (ServerProcess server = new ServerProcess(256, dir)) {
      List<Socket> flood = new ArrayList<>();
      try {
        for (int i = 0; i < 300; i++) {
          Socket socket = new Socket("127.0.0.1", server.clientPort);
          socket.getOutputStream().write((1_000 + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
          flood.add(socket);
        }
        org.awaitility.Awaitility.await()
            .until(() -> server.log.stream().anyMatch(l -> l.contains("Too many open files")));
        Thread.sleep(2_000); // the scenario: descriptors stay exhausted for a while
      } finally {
        for (Socket socket : flood) {
          closeQuietly(socket);
        }
      }
      long failedAcceptLines =
          server.log.stream()
              .filter(l -> l.contains("accepting a client connection failed"))
              .count();
      assertThat(failedAcceptLines).as("a rate-limited log, not a flood").isBetween(1L, 3L);

      List<UserClient> clients = new ArrayList<>();
      for (int user = 1; user <= 10; user++) {
        clients.add(UserClient.connect(server.clientPort, user));
      }
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(() -> connectedClients(server) == 10);
      try (EventSource source = new EventSource(server.eventPort)) {
        for (int user = 1; user <= 10; user++) {
          source.send(user + "|P|99|" + user);
        }
        for (int user = 1; user <= 10; user++) {
          assertThat(clients.get(user - 1).awaitLines(1))
              .as("user %d is served again", user)
              .containsExactly(user + "|P|99|" + user);
        }
      }
      clients.forEach(UserClient::close);
      assertThat(server.stop()).isZero();
    }
  }

  /** The server's own count of registered clients, from /metrics. */
  private static double connectedClients(ServerProcess server) throws Exception {
    String metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.adminPort + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(line -> line.startsWith("followermaze_clients_connected "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
  }
}
