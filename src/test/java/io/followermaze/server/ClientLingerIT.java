package io.followermaze.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** With a linger, writes wait for more, but nothing waits for ever. */
class ClientLingerIT {

  @Test
  void lingeringNotificationsAreWrittenInOrderOnceTheLingerPassesEvenWhenNoMoreInputComes() {
    ServerConfig config = TestServerConfig.loopback().withClientLinger(Duration.ofMillis(300));
    try (RunningServer server = RunningServer.start(config);
        UserClient first = server.client(1);
        UserClient second = server.client(2);
        EventSource source = server.source()) {
      List<String> lines = new ArrayList<>();
      IntStream.rangeClosed(1, 5_000)
          .forEach(s -> lines.add(s + (s % 2 == 0 ? "|P|9|1" : "|P|9|2")));
      lines.add("5001|B");
      source.send(lines.toArray(String[]::new));

      List<String> toFirst = first.awaitLastLine("5001|B");
      assertThat(toFirst).hasSize(2_501).startsWith("2|P|9|1", "4|P|9|1");
      assertThat(second.awaitLastLine("5001|B")).hasSize(2_501).startsWith("1|P|9|2");
    }
  }
}
