package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.ServerProcess;
import io.followermaze.testing.UserClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source that sends nothing but newlines: each 64 KiB read is 65,536 malformed lines. The real
 * server process, on the launcher's heap, must not run out of memory while the dead-letter store
 * paces it: the engine's inbox is bounded in lines, not only in chunks.
 */
class FloodOfEmptyLinesIT {

  private static final int MIB = 1 << 20;
  private static final int FLOOD = 8 * MIB;

  @TempDir Path dataDir;

  @Test
  void megabytesOfBareNewlinesAreAllDeadLetteredAndTheServerStaysUp() throws Exception {
    ServerProcess server = new ServerProcess(dataDir);
    try {
      UserClient client = UserClient.connect(server.clientPort, 1);
      try (EventSource source = new EventSource(server.eventPort)) {
        byte[] newlines = new byte[MIB];
        Arrays.fill(newlines, (byte) '\n');
        for (int sent = 0; sent < FLOOD; sent += MIB) {
          source.sendRaw(newlines);
        }
        source.send("1|B");
        assertThat(client.awaitLines(1))
            .as("the server is up: %s", server.log)
            .containsExactly("1|B");
      }
      try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dataDir)) {
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () ->
                    reader.count(DeadLetterFilter.ALL.withReasons(Set.of(Reason.EMPTY_LINE)))
                            == FLOOD
                        || !server.process.isAlive());
      }
      assertThat(server.process.isAlive()).as("no OutOfMemoryError: %s", server.errors()).isTrue();
      assertThat(server.errors()).isEmpty();
      assertThat(server.stop()).isZero();
    } finally {
      server.close();
    }
  }
}
