package io.followermaze.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.ServerProcess;
import io.followermaze.testing.UserClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redrive cut short by {@code kill -9} resumes at the next start after its last confirmed letter:
 * nothing is lost and nothing repeated beyond the documented in-flight bound (one slice, a tenth of
 * a second at the request's rate: letters queued but not yet confirmed, or confirmed but not yet
 * written).
 */
class RedriveCrashIT {

  private static final int PARKED = 20_000;
  private static final int RATE = 2_000;
  private static final int SLICE = RATE / 10;

  @TempDir Path dataDir;

  /** A server process to which the source sent {@value #PARKED} messages for offline user 7. */
  private ServerProcess serverWithParkedLettersForUser7() throws Exception {
    ServerProcess server = new ServerProcess(dataDir);
    try (EventSource source = new EventSource(server.eventPort)) {
      StringBuilder lines = new StringBuilder();
      for (int s = 1; s <= PARKED; s++) {
        lines.append(s).append("|P|1|7\n");
      }
      source.sendRaw(lines.toString().getBytes());
    }
    return server;
  }

  /**
   * Starts the server again with user 7 connected: request {@code id} resumes and ends done; what
   * user 7 then receives, after what a second request redrives, joins {@code received}.
   */
  private void resumeInANewProcess(SqliteDeadLetterStore store, long id, List<String> received)
      throws Exception {
    ServerProcess second = new ServerProcess(dataDir);
    try (UserClient after = UserClient.connect(second.clientPort, 7)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> store.redriveRequest(id).orElseThrow().status().equals("done"));
      // The resumed request may have started before user 7 was back: what it skipped stays parked
      // for the next one.
      long again =
          store.requestRedrive(
              DeadLetterFilter.ALL.forRecipient(7), RATE, System.currentTimeMillis());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> store.redriveRequest(again).orElseThrow().status().equals("done"));
      await("the resumed redrive's lines have all arrived")
          .atMost(Duration.ofSeconds(10))
          .until(() -> received.size() + after.lines().size() >= PARKED);
      received.addAll(after.texts());
    } finally {
      assertThat(second.stop()).isZero();
    }
  }

  @Test
  void aRedriveKilledMidwayResumesAfterItsLastConfirmedLetterAtTheNextStart() throws Exception {
    ServerProcess first = serverWithParkedLettersForUser7();
    long id;
    List<String> received = new ArrayList<>();
    try (SqliteDeadLetterStore store = SqliteDeadLetterStore.open(dataDir)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> store.count(DeadLetterFilter.ALL.forRecipient(7)) == PARKED);
      UserClient before = UserClient.connect(first.clientPort, 7);
      id =
          store.requestRedrive(
              DeadLetterFilter.ALL.forRecipient(7), RATE, System.currentTimeMillis());
      await().atMost(Duration.ofSeconds(60)).until(() -> before.lines().size() >= PARKED / 4);
      first.process.destroyForcibly();
      assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      received.addAll(before.texts());
      before.close();
      assertThat(store.redriveRequest(id))
          .get()
          .extracting(RedriveRequest::status)
          .isEqualTo("running");

      resumeInANewProcess(store, id, received);
    }
    Map<String, Integer> times = new HashMap<>();
    received.forEach(line -> times.merge(line, 1, Integer::sum));
    long repeated = times.values().stream().filter(n -> n > 1).count();
    System.out.printf(
        "redrive across kill -9: %,d parked, %,d lines received, %,d distinct, %,d repeated (bound %d)%n",
        PARKED, received.size(), times.size(), repeated, SLICE);
    assertThat(times.keySet()).as("nothing lost").hasSize(PARKED);
    assertThat(repeated).as("repeated at most one slice").isLessThanOrEqualTo(SLICE);
    assertThat(times.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
  }

  @Test
  void aRedriveCutShortByAGracefulStopIsMarkedInterruptedAndResumedAtTheNextStart()
      throws Exception {
    ServerProcess first = serverWithParkedLettersForUser7();
    List<String> received = new ArrayList<>();
    try (SqliteDeadLetterStore store = SqliteDeadLetterStore.open(dataDir)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> store.count(DeadLetterFilter.ALL.forRecipient(7)) == PARKED);
      UserClient before = UserClient.connect(first.clientPort, 7);
      long id =
          store.requestRedrive(
              DeadLetterFilter.ALL.forRecipient(7), RATE, System.currentTimeMillis());
      await().atMost(Duration.ofSeconds(60)).until(() -> before.lines().size() >= PARKED / 4);
      assertThat(first.stop()).as("exit status of a graceful stop").isZero();
      received.addAll(before.texts());
      before.close();
      assertThat(store.redriveRequest(id))
          .get()
          .extracting(RedriveRequest::status)
          .isEqualTo("interrupted");

      resumeInANewProcess(store, id, received);
    }
    assertThat(new java.util.HashSet<>(received)).as("nothing lost").hasSize(PARKED);
  }
}
