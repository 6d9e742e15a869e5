package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The event source misbehaving: bursts, a disconnect mid-line, a reconnect. */
class SourceFaultsIT {

  /** Counts a client's lines and checks that their sequence numbers rise by exactly one. */
  private static final class CountingClient implements AutoCloseable {
    final Socket socket;
    final AtomicLong last = new AtomicLong();
    final AtomicReference<String> problem = new AtomicReference<>();

    /** Expects consecutive numbers after {@code after}. */
    CountingClient(int port, int user, long after) throws IOException {
      last.set(after);
      socket = new Socket("127.0.0.1", port);
      socket.getOutputStream().write((user + "\r\n").getBytes(StandardCharsets.US_ASCII));
      Thread.ofVirtual().start(this::read);
    }

    private void read() {
      try (InputStream in = socket.getInputStream()) {
        byte[] buffer = new byte[64 * 1024];
        long sequence = 0;
        boolean inNumber = true;
        for (int n; (n = in.read(buffer)) >= 0; ) {
          for (int i = 0; i < n; i++) {
            byte b = buffer[i];
            if (b == '\n') {
              if (sequence != last.get() + 1) {
                problem.compareAndSet(null, "expected " + (last.get() + 1) + ", got " + sequence);
              }
              last.set(sequence);
              sequence = 0;
              inNumber = true;
            } else if (inNumber && b >= '0' && b <= '9') {
              sequence = sequence * 10 + (b - '0');
            } else {
              inNumber = false;
            }
          }
        }
      } catch (IOException e) {
        // Closed by the test.
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static long burstEndSequence() {
    return 10_002 + 60_000 + 1;
  }

  private static String statusUpdates(long from, long to) {
    StringBuilder lines = new StringBuilder();
    for (long s = from; s <= to; s++) {
      lines.append(s).append("|S|2\n");
    }
    return lines.toString();
  }

  @Test
  void aBurstTenTimesTheSteadyRateThenAMidLineDisconnectAndAReconnectLoseNothingAndReorderNothing()
      throws Exception {
    try (RunningServer server = RunningServer.start()) {
      try (EventSource setup = server.source()) {
        setup.send("1|F|1|2", "2|F|3|2");
      }
      server.awaitReceived(2);
      try (CountingClient one = new CountingClient(server.server().clientPort(), 1, 2);
          CountingClient three = new CountingClient(server.server().clientPort(), 3, 2)) {
        await()
            .atMost(RunningServer.PATIENCE)
            .until(() -> server.server().stats().connectedClients() == 2);
        long steadyEnd = 10_002;
        long burstEnd = steadyEnd + 60_000;
        try (EventSource source = server.source()) {
          // Steady: 100 events every 10 ms (10k/s) ...
          for (long first = 3; first <= steadyEnd; first += 100) {
            source.sendRaw(
                statusUpdates(first, Math.min(first + 99, steadyEnd))
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(10); // Pacing the load, not waiting for a result.
          }
          // ... then a burst at ten times that: 1,000 every 10 ms (100k/s) for 60,000 events.
          for (long first = steadyEnd + 1; first <= burstEnd; first += 1_000) {
            source.sendRaw(
                statusUpdates(first, Math.min(first + 999, burstEnd))
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(10);
          }
          source.sendRaw(
              ((burstEnd + 1) + "|S|").getBytes(StandardCharsets.US_ASCII)); // cut mid-line
        }
        // The server has seen the end of the first source once the cut line is a dead letter.
        server.awaitDeadLetters(Reason.TRUNCATED_LINE, 1);
        try (EventSource again = server.source()) {
          again.send((burstEnd + 1) + "|S|2", (burstEnd + 2) + "|S|2");
        }
        await()
            .atMost(RunningServer.PATIENCE)
            .until(() -> one.last.get() == burstEnd + 2 && three.last.get() == burstEnd + 2);
        // Every status update from 3 on arrived, one by one, in order.
        assertThat(one.problem.get()).isNull();
        assertThat(three.problem.get()).isNull();
      }
      DeadLetter truncated = server.awaitDeadLetters(Reason.TRUNCATED_LINE, 1).get(0);
      assertThat(truncated.sequence()).isEqualTo(burstEndSequence());
      assertThat(server.deadLetters(Reason.TRUNCATED_LINE)).hasSize(1);
      assertThat(server.deadLetters(Reason.USER_NOT_CONNECTED))
          .as("only the two follows of user 2, who never connected")
          .extracting(DeadLetter::recipient)
          .containsExactly(2, 2);
      assertThat(server.deadLetters()).hasSize(3);
      assertThat(server.server().stats().processingErrors()).isZero();
    }
  }
}
