package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.bench.ServerMemory;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A celebrity: user 42 gains {@code celebrity.followers} offline followers (200,000 here; run with
 * {@code -Dcelebrity.followers=1000000} for the full size), then posts 5 status updates in one
 * write. The real server process, on the launcher's default heap, stays up, keeps every letter and
 * exits 0 on SIGTERM: a fan-out holds a few bytes per recipient in flight, never an object.
 */
class CelebrityIT {

  private static final int FOLLOWERS = Integer.getInteger("celebrity.followers", 200_000);
  private static final int POSTS = 5;

  @TempDir Path dataDir;

  @Test
  void aMillionOfflineFollowersOfOnePosterAreAllDeadLetteredAndTheServerStaysUp() throws Exception {
    ServerProcess server = new ServerProcess(dataDir);
    long pid = server.process.pid();
    AtomicLong peakRss = new AtomicLong();
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    peakRss.accumulateAndGet(ServerMemory.rssBytes(pid), Math::max);
                    try {
                      Thread.sleep(50);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    long expected = (long) FOLLOWERS * (1 + POSTS);
    try (EventSource source = new EventSource(server.eventPort)) {
      ByteArrayOutputStream follows = new ByteArrayOutputStream();
      for (int i = 1; i <= FOLLOWERS; i++) {
        follows.writeBytes((i + "|F|" + (1_000 + i) + "|42\n").getBytes(StandardCharsets.US_ASCII));
        if (i % 50_000 == 0) {
          source.sendRaw(follows.toByteArray());
          follows.reset();
        }
      }
      source.sendRaw(follows.toByteArray());
      StringBuilder posts = new StringBuilder();
      for (int p = 1; p <= POSTS; p++) {
        posts.append(FOLLOWERS + p).append("|S|42\n");
      }
      source.sendRaw(posts.toString().getBytes(StandardCharsets.US_ASCII));
      try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dataDir)) {
        await()
            .atMost(Duration.ofMinutes(3))
            .until(
                () -> reader.count(DeadLetterFilter.ALL) >= expected || !server.process.isAlive());
        assertThat(server.process.isAlive()).as("the server is up: %s", server.log).isTrue();
      }
    }
    int status = server.stop();
    sampler.interrupt();
    System.out.printf(
        "celebrity: %,d followers x (1 follow + %d posts) = %,d letters; server peak RSS %d MiB%n",
        FOLLOWERS, POSTS, expected, peakRss.get() >> 20);
    assertThat(status).as("exit status on SIGTERM: %s", server.log).isZero();
    assertThat(server.errors()).isEmpty();
    try (SqliteDeadLetterStore reader = SqliteDeadLetterStore.open(dataDir)) {
      DeadLetterFilter offline =
          DeadLetterFilter.ALL.withReasons(Set.of(Reason.USER_NOT_CONNECTED));
      assertThat(reader.count(offline)).isEqualTo(expected);
      assertThat(reader.stats().total()).as("nothing but the offline letters").isEqualTo(expected);
      while (reader.runDeferredWork(true)) {
        // Index what the server left for its next start.
      }
      assertThat(reader.list(DeadLetterFilter.ALL.forRecipient(1_000 + FOLLOWERS), 0, 10))
          .extracting(s -> s.letter().sequence())
          .containsExactly(
              FOLLOWERS + 1L, FOLLOWERS + 2L, FOLLOWERS + 3L, FOLLOWERS + 4L, FOLLOWERS + 5L);
      assertThat(reader.count(DeadLetterFilter.ALL.forRecipient(42)))
          .as("each follow notifies 42, who is offline too")
          .isEqualTo(FOLLOWERS);
    }
  }
}
