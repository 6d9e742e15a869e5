package io.followermaze.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.DeadLetterStore;
import io.followermaze.lifecycle.Roles;
import io.followermaze.server.Server;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.TestServerConfig;
import io.followermaze.testing.UserClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A stalled dead-letter store pauses intake from the event source; nothing is dropped. */
class BackPressureIT {

  /** A store that holds every commit until opened. */
  static final class GatedStore implements DeadLetterStore {
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicLong stored = new AtomicLong();

    @Override
    public void append(List<DeadLetterBlock> blocks) throws InterruptedException {
      gate.await();
      blocks.forEach(block -> stored.addAndGet(block.size()));
    }

    @Override
    public void close() {}
  }

  @Test
  void aStalledStoreStopsTheServerReadingTheSourceUntilItDrainsAndEveryLetterArrives()
      throws Exception {
    GatedStore store = new GatedStore();
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 32_000, 3_200, Duration.ofMillis(10)).start(new Roles());
    int total = 200_000;
    try (Server server = Server.start(TestServerConfig.loopback(), new Roles(), collector)) {
      UserClient client = UserClient.connect(server.clientPort(), 1);
      await().until(() -> server.stats().clientsRegistered() == 1);
      Thread sender =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (EventSource source = new EventSource(server.eventPort())) {
                      StringBuilder lines = new StringBuilder();
                      for (int s = 1; s <= total; s++) {
                        lines.append(s).append(s == total ? "|P|2|1\n" : "|P|1|999\n");
                        if (s % 10_000 == 0) {
                          source.sendRaw(lines.toString().getBytes());
                          lines.setLength(0);
                        }
                      }
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });

      await().until(() -> collector.backPressureWaits() > 0);
      long stalledAt = server.stats().eventsReceived();
      await("intake stays paused while the store is stalled")
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> server.stats().eventsReceived() == stalledAt);
      assertThat(stalledAt).isLessThan(total);

      store.gate.countDown();
      sender.join(60_000);
      assertThat(client.awaitLines(1)).containsExactly(total + "|P|2|1");
      await().atMost(Duration.ofSeconds(30)).until(() -> store.stored.get() == total - 1);
    } finally {
      collector.close();
    }
    assertThat(store.stored.get())
        .as("every offline notification stored, none dropped")
        .isEqualTo(total - 1);
  }
}
