package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.delivery.ClientLimits;
import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.TestServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The slow-client policy tells lag from a stall: a client that keeps reading keeps any backlog a
 * burst gives it; when all backlogs together exceed the budget, the largest goes first, and what it
 * did not read becomes dead letters.
 */
class LagAndStallIT {

  @Test
  void aClientThatKeepsReadingReceivesAWholeBurstOfAMillionFollows() throws Exception {
    int follows = 1_000_000;
    try (RunningServer server = RunningServer.start();
        Socket celebrity = connect(server, 42, 0)) {
      LineCounter counter = LineCounter.start(celebrity);
      try (EventSource source = server.source()) {
        ByteArrayOutputStream burst = new ByteArrayOutputStream(follows * 24);
        for (int s = 1; s <= follows; s++) {
          burst.writeBytes((s + "|F|" + (1000 + s) + "|42\n").getBytes(StandardCharsets.US_ASCII));
        }
        source.sendRaw(burst.toByteArray());
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> counter.lines.get() == follows || counter.ended);
      }
      assertThat(counter.lines.get()).as("lines the celebrity received").isEqualTo(follows);
      assertThat(counter.outOfOrder.get()).isZero();
      assertThat(server.deadLetters(Reason.CLIENT_TOO_SLOW)).isEmpty();
    }
  }

  @Test
  void whenAllBacklogsExceedTheBudgetTheLargestGoesFirstAndLosesNothing() throws Exception {
    ClientLimits limits =
        new ClientLimits(
            768 << 10, Duration.ofMinutes(10), 1 << 20, SlowClientPolicy.DISCONNECT, 16 << 10);
    int events = 160_000; // three in four to user 2 (~1.6 MB), one in four to user 3 (~0.5 MB)
    try (RunningServer server =
            RunningServer.start(TestServerConfig.loopback().withClientLimits(limits));
        Socket heavy = connect(server, 2, 4096);
        Socket light = connect(server, 3, 4096);
        EventSource source = server.source()) {
      await().until(() -> server.server().stats().connectedClients() == 2);
      StringBuilder lines = new StringBuilder();
      for (int s = 1; s <= events; s++) {
        lines.append(s).append(s % 4 == 0 ? "|P|1|3\n" : "|P|1|2\n");
      }
      source.sendRaw(lines.toString().getBytes(StandardCharsets.US_ASCII));

      var evicted = server.awaitDeadLetters(Reason.CLIENT_TOO_SLOW, 1);
      assertThat(evicted).allSatisfy(l -> assertThat(l.recipient()).isEqualTo(2));
      assertThat(evicted.getFirst().error()).contains("outbox budget");

      // The light client, within its buffer, was never evicted and never refused (while the
      // evicted one's backlog is handed on, only clients past their buffer are): it reads
      // everything once it starts reading.
      Set<Long> lightGot = readSequences(light, events / 4);
      assertThat(lightGot).hasSize(events / 4);
      // The heavy one lost nothing: each line was read or is a dead letter.
      Set<Long> heavyGot = readSequences(heavy, Integer.MAX_VALUE);
      await()
          .atMost(RunningServer.PATIENCE)
          .untilAsserted(
              () -> {
                Set<Long> accounted = new HashSet<>(heavyGot);
                server.deadLetters().stream()
                    .filter(l -> l.recipient() == 2)
                    .map(DeadLetter::sequence)
                    .forEach(accounted::add);
                assertThat(accounted).hasSize(events - events / 4);
              });
      assertThat(server.deadLetters())
          .filteredOn(l -> l.recipient() == 3)
          .as("nothing for the light client was dead-lettered")
          .isEmpty();
    }
  }

  private static Socket connect(RunningServer server, int user, int receiveBuffer)
      throws IOException {
    long before = server.server().stats().clientsRegistered();
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", server.server().clientPort()));
    socket.getOutputStream().write((user + "\r\n").getBytes(StandardCharsets.US_ASCII));
    await().until(() -> server.server().stats().clientsRegistered() > before);
    return socket;
  }

  /** The sequence numbers of the next {@code count} lines, or of all until the server closes. */
  private static Set<Long> readSequences(Socket socket, int count) throws IOException {
    socket.setSoTimeout(20_000);
    Set<Long> sequences = new HashSet<>();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[1 << 16];
    long current = 0;
    boolean inNumber = true;
    int n;
    while (sequences.size() < count && (n = in.read(buffer)) >= 0) {
      for (int i = 0; i < n; i++) {
        byte b = buffer[i];
        if (b == '\n') {
          inNumber = true;
          current = 0;
        } else if (b == '|' && inNumber) {
          sequences.add(current);
          inNumber = false;
        } else if (inNumber) {
          current = current * 10 + (b - '0');
        }
      }
    }
    return sequences;
  }

  /** Counts lines as fast as they come and checks their numbers rise. */
  private static final class LineCounter {
    final AtomicLong lines = new AtomicLong();
    final AtomicLong outOfOrder = new AtomicLong();
    volatile boolean ended;

    static LineCounter start(Socket socket) {
      LineCounter counter = new LineCounter();
      Thread.ofPlatform().daemon().start(() -> counter.run(socket));
      return counter;
    }

    private void run(Socket socket) {
      byte[] buffer = new byte[1 << 16];
      long current = 0;
      long last = 0;
      boolean inNumber = true;
      try {
        InputStream in = socket.getInputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
          for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b == '\n') {
              lines.incrementAndGet();
              inNumber = true;
              current = 0;
            } else if (b == '|' && inNumber) {
              if (current <= last) {
                outOfOrder.incrementAndGet();
              }
              last = current;
              inNumber = false;
            } else if (inNumber) {
              current = current * 10 + (b - '0');
            }
          }
        }
      } catch (IOException e) {
        // Closed: the count says what arrived.
      }
      ended = true;
    }
  }
}
