package io.followermaze.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.dlq.Reason;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.UserClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ShutdownIT {

  @Test
  void closingDeliversWhatIsHeldAndQueuedThenClosesClientsAndListeners() {
    RunningServer server = RunningServer.start();
    UserClient client = server.client(1);
    EventSource source = server.source();
    source.send("1|B", "3|B", "4|B");
    server.awaitReceived(3);
    int clientPort = server.server().clientPort();

    server.close();

    client.awaitClosedByServer();
    assertThat(client.texts()).containsExactly("1|B", "3|B", "4|B");
    assertThat(server.deadLetters(Reason.SEQUENCE_GAP))
        .as("the source is closed first, so it is its gap")
        .singleElement()
        .satisfies(
            gap -> assertThat(gap.error()).contains("sequence 2 skipped (source_disconnected)"));
    assertRefused(() -> new Socket("127.0.0.1", clientPort).close());
    source.close();
  }

  private static void assertRefused(Executable connect) {
    org.junit.jupiter.api.Assertions.assertThrows(ConnectException.class, connect);
  }

  @Test
  void closingTwiceIsHarmlessAndLeavesNothingListening() throws IOException {
    RunningServer server = RunningServer.start();
    int events = server.server().eventPort();
    int clients = server.server().clientPort();
    server.close();
    org.assertj.core.api.Assertions.assertThatCode(server::close).doesNotThrowAnyException();
    for (int port : new int[] {events, clients}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new java.net.Socket("127.0.0.1", port).close())
          .as("port %d is closed", port)
          .isInstanceOf(java.net.ConnectException.class);
    }
  }
}
