package io.followermaze.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Who may connect, and what happens when they connect twice, badly, or go away. */
class ConnectionsIT {

  @Test
  void aNewSourceMayConnectAfterTheFirstLeavesAndTheSequenceContinues() {
    try (RunningServer server = RunningServer.start()) {
      UserClient client = server.client(1);
      try (EventSource first = server.source()) {
        first.send("2|B", "1|B");
      }
      client.awaitLines(2);
      try (EventSource second = server.source()) {
        second.send("4|B", "3|B");
      }
      assertThat(client.awaitLines(4)).containsExactly("1|B", "2|B", "3|B", "4|B");
    }
  }

  @Test
  void aSecondSourceIsRefusedWhileOneIsConnectedAndTheFirstKeepsWorking() {
    try (RunningServer server = RunningServer.start()) {
      UserClient client = server.client(1);
      try (EventSource first = server.source()) {
        first.send("1|B");
        client.awaitLines(1);
        try (EventSource second = server.source()) {
          assertThat(second.readAll()).isEqualTo("ERROR another event source is connected\n");
        }
        first.send("2|B");
        assertThat(client.awaitLines(2)).containsExactly("1|B", "2|B");
      }
    }
  }

  @Test
  void whenAUserConnectsTwiceTheNewerConnectionGetsTheNotifications() {
    try (RunningServer server = RunningServer.start()) {
      UserClient older = server.client(7);
      try (EventSource source = server.source()) {
        source.send("1|P|1|7");
        older.awaitLines(1);
        UserClient newer = server.client(7);
        older.awaitClosedByServer();
        source.send("2|P|1|7");
        assertThat(newer.awaitLines(1)).containsExactly("2|P|1|7");
        assertThat(older.texts()).containsExactly("1|P|1|7");
      }
    }
  }

  @Test
  void aNonNumericIdGetsAnErrorLineAndIsClosedWhileTheServerGoesOn() {
    try (RunningServer server = RunningServer.start()) {
      UserClient bad = server.rawClient("alice\r\n");
      bad.awaitClosedByServer();
      assertThat(bad.texts())
          .singleElement()
          .asString()
          .startsWith("ERROR user id must be a number");
      UserClient good = server.client(3);
      try (EventSource source = server.source()) {
        source.send("1|B");
      }
      assertThat(good.awaitLines(1)).containsExactly("1|B");
    }
  }

  @Test
  void anOverlongIdGetsAnErrorLineAndIsClosed() {
    try (RunningServer server = RunningServer.start()) {
      UserClient bad = server.rawClient("1".repeat(100_000) + "\n");
      bad.awaitClosedByServer();
      assertThat(bad.texts())
          .singleElement()
          .asString()
          .startsWith("ERROR user id line longer than");
    }
  }

  @Test
  void aClientThatNeverSendsItsIdIsClosedAfterTheHandshakeTimeout() {
    ServerConfig config =
        TestServerConfig.loopback()
            .withClientBounds(8192, SlowClientPolicy.DISCONNECT, 100, Duration.ofMillis(300));
    try (RunningServer server = RunningServer.start(config)) {
      UserClient silent = server.rawClient("");
      silent.awaitClosedByServer();
      assertThat(silent.texts()).singleElement().asString().startsWith("ERROR no user id received");
    }
  }

  @Test
  void aClientTricklingItsIdByteByByteIsClosedAtTheHandshakeTimeoutInTotal() throws Exception {
    ServerConfig config =
        TestServerConfig.loopback()
            .withClientBounds(8192, SlowClientPolicy.DISCONNECT, 100, Duration.ofMillis(500));
    try (RunningServer server = RunningServer.start(config);
        java.net.Socket socket = new java.net.Socket("127.0.0.1", server.server().clientPort())) {
      java.util.concurrent.atomic.AtomicBoolean refused =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicInteger sent =
          new java.util.concurrent.atomic.AtomicInteger();
      Thread trickle =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < 200 && !refused.get(); i++) {
                        sent.incrementAndGet();
                        socket
                            .getOutputStream()
                            .write(
                                '7'); // one digit every 100 ms: each read is quick, the whole never
                        // ends
                        socket.getOutputStream().flush();
                        Thread.sleep(100);
                      }
                    } catch (Exception e) {
                      refused.set(true);
                    }
                  });
      String reply =
          new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream()))
              .readLine();
      refused.set(true);
      trickle.join(5_000);
      assertThat(reply).startsWith("ERROR no user id received");
      assertThat(sent.get())
          .as("refused at the deadline, not when the trickle ends (200 bytes)")
          .isLessThan(100);
    }
  }

  @Test
  void connectionsBeyondTheLimitAreRefusedWithAnErrorLine() {
    ServerConfig config =
        TestServerConfig.loopback()
            .withClientBounds(8192, SlowClientPolicy.DISCONNECT, 2, Duration.ofSeconds(10));
    try (RunningServer server = RunningServer.start(config)) {
      server.client(1);
      server.client(2);
      UserClient third = server.rawClient("3\n");
      third.awaitClosedByServer();
      assertThat(third.texts()).containsExactly("ERROR too many connections");
    }
  }
}
