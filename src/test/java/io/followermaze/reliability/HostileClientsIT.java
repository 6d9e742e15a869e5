package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.ServerMemory;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.ServerProcess;
import io.followermaze.testing.UserClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that attack rather than use the server: ten thousand idle connections, a megabyte-long
 * user id. (A client that never sends its id, and a second event source, are in {@code
 * ConnectionsIT}.) The server holds, refuses clearly, and keeps serving.
 */
class HostileClientsIT {

  private static final int IDLE = 10_000;

  @TempDir Path dataDir;

  private static String readLine(SocketChannel channel) throws IOException {
    channel.socket().setSoTimeout(20_000);
    InputStream in = channel.socket().getInputStream();
    StringBuilder line = new StringBuilder();
    for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
      line.append((char) c);
    }
    return line.toString().strip();
  }

  private static boolean heardWithin(UserClient client, Duration patience) {
    try {
      await()
          .atMost(patience)
          .pollInterval(Duration.ofMillis(5))
          .until(() -> !client.lines().isEmpty());
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /** The engine's count of registered clients, from the admin API's {@code /stats}. */
  private static long connectedClients(ServerProcess server) throws Exception {
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      String body =
          http.send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + server.adminPort + "/stats"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\"connectedClients\":(\\d+)").matcher(body);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
  }

  @Test
  void tenThousandIdleClientsAreHeldTheNextIsRefusedClearlyAndTheServerKeepsServing()
      throws Exception {
    try (ServerProcess server =
        new ServerProcess(dataDir, "--max-clients", Integer.toString(IDLE))) {
      long pid = server.process.pid();
      long filesBefore = ServerMemory.openFiles(pid);
      List<SocketChannel> idle = new ArrayList<>(IDLE);
      try (UserClient active = UserClient.connect(server.clientPort, 1)) {
        for (int user = 2; user <= IDLE; user++) {
          SocketChannel channel =
              SocketChannel.open(new InetSocketAddress("127.0.0.1", server.clientPort));
          channel.write(ByteBuffer.wrap((user + "\r\n").getBytes(StandardCharsets.US_ASCII)));
          idle.add(channel);
        }
        try (SocketChannel oneTooMany =
            SocketChannel.open(new InetSocketAddress("127.0.0.1", server.clientPort))) {
          oneTooMany.write(ByteBuffer.wrap("99999\r\n".getBytes(StandardCharsets.US_ASCII)));
          assertThat(readLine(oneTooMany)).isEqualTo("ERROR too many connections");
        }
        long filesHeld = ServerMemory.openFiles(pid);
        long rssHeld = ServerMemory.rssBytes(pid) >> 20;
        System.out.printf(
            "hostile: %d client connections held: server has %d open files (%d before), RSS %d MiB%n",
            IDLE, filesHeld, filesBefore, rssHeld);
        assertThat(filesHeld).isBetween(filesBefore + IDLE, filesBefore + IDLE + 64);

        // A broadcast reaches the users registered when it is routed: wait for every handshake.
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(60))
            .until(() -> connectedClients(server) == IDLE);
        try (EventSource source = new EventSource(server.eventPort)) {
          source.send("1|P|2|1", "2|B");
        }
        assertThat(active.awaitLines(2)).containsExactly("1|P|2|1", "2|B");
        ByteBuffer broadcast = ByteBuffer.allocate(16);
        SocketChannel last = idle.get(idle.size() - 1);
        last.configureBlocking(false);
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(20))
            .until(() -> last.read(broadcast) < 0 || broadcast.position() >= "2|B\n".length());
        assertThat(
                new String(broadcast.array(), 0, broadcast.position(), StandardCharsets.US_ASCII))
            .isEqualTo("2|B\n");
      } finally {
        for (SocketChannel channel : idle) {
          channel.close();
        }
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> ServerMemory.openFiles(pid) <= filesBefore + 16);
      try (UserClient again = UserClient.connect(server.clientPort, 5);
          EventSource source = new EventSource(server.eventPort)) {
        // The server gives no sign that an id was read: broadcast until the new client hears one.
        long next = 3;
        for (boolean heard = false; !heard; next++) {
          source.send(next + "|B");
          heard = heardWithin(again, Duration.ofMillis(200));
        }
        source.send(next + "|P|1|5");
        assertThat(again.awaitLastLine(next + "|P|1|5")).contains(next + "|P|1|5");
      }
      assertThat(server.errors()).isEmpty();
      assertThat(server.stop()).isZero();
    }
  }

  @Test
  void aMegabyteUserIdIsRefusedWithoutHarmAndOthersAreStillServed() throws Exception {
    try (RunningServer server = RunningServer.start();
        Socket hostile = new Socket("127.0.0.1", server.server().clientPort())) {
      byte[] digits = new byte[1 << 20];
      Arrays.fill(digits, (byte) '7');
      try {
        OutputStream out = hostile.getOutputStream();
        out.write(digits);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException expected) {
        // The server stops reading after its bound and closes: the rest of the megabyte is refused.
      }
      hostile.setSoTimeout(20_000);
      String reply =
          new String(hostile.getInputStream().readNBytes(200), StandardCharsets.US_ASCII);
      assertThat(reply).startsWith("ERROR user id line longer than");

      UserClient client = server.client(1);
      try (EventSource source = server.source()) {
        source.send("1|P|2|1");
      }
      assertThat(client.awaitLines(1)).containsExactly("1|P|2|1");
    }
  }
}
