package io.followermaze.dlq.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DlqOperations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's shared store connection while one request holds it for long. */
class SqliteDlqOperationsTest {

  @TempDir Path dir;

  @Test
  void aLongRequestMakesOthersBusyAndDoesNotHoldUpTheClose() throws Exception {
    SqliteDlqOperations operations =
        new SqliteDlqOperations(
            SqliteDeadLetterStore.open(
                dir, false, new SqliteDeadLetterStore.Retention(Duration.ofDays(1), 1_000)));
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> slow =
        CompletableFuture.runAsync(
            () ->
                operations.locked(
                    "redrive dry run",
                    () -> {
                      holding.countDown();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    }));
    try {
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
      long started = System.nanoTime();
      assertThatThrownBy(() -> operations.count(DeadLetterFilter.ALL))
          .isInstanceOf(DlqOperations.Busy.class)
          .hasMessageContaining("busy with another admin request (redrive dry run, running");
      operations.close();
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("a count and the close, each waiting at most the bound")
          .isLessThan(SqliteDlqOperations.WAIT.multipliedBy(2).plusSeconds(2));
    } finally {
      release.countDown();
      slow.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void requestsOneAfterAnotherNeverWait() {
    try (SqliteDlqOperations operations =
        new SqliteDlqOperations(
            SqliteDeadLetterStore.open(
                dir, false, new SqliteDeadLetterStore.Retention(Duration.ofDays(1), 1_000)))) {
      for (int i = 0; i < 3; i++) {
        assertThat(operations.count(DeadLetterFilter.ALL)).isZero();
        assertThat(operations.stats().total()).isZero();
      }
    }
  }
}
