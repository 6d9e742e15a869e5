package io.followermaze.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.lifecycle.Roles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeadLetterCollectorTest {

  /** A store that records batches; it can be made to block or to fail. */
  static class FakeStore implements DeadLetterStore {
    final List<List<DeadLetter>> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch open = new CountDownLatch(1);
    volatile boolean blocking;
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean closed;

    @Override
    public void append(List<DeadLetterBlock> blocks) throws Exception {
      if (blocking) {
        open.await();
      }
      if (failuresLeft.getAndDecrement() > 0) {
        throw new java.sql.SQLException("disk full");
      }
      List<DeadLetter> batch = new ArrayList<>();
      blocks.forEach(block -> batch.addAll(block.letters()));
      batches.add(List.copyOf(batch));
    }

    List<Long> sequences() {
      List<Long> all = new ArrayList<>();
      batches.forEach(b -> b.forEach(l -> all.add(l.sequence())));
      return all;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static DeadLetter letter(long sequence) {
    return DeadLetter.gap(sequence, "test", 0, "gap");
  }

  /** A daemon thread that hands {@code count} letters to {@code collector}, waiting for room. */
  private static Thread produce(DeadLetterCollector collector, int count) {
    return Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              for (long s = 1; s <= count; s++) {
                collector.accept(letter(s));
              }
            });
  }

  /** The encoded size of one test letter: the collector's bounds are in bytes. */
  private static final int B = DeadLetterBlock.of(letter(1)).bytes();

  @Test
  void commitsFullBatchesInOrder() {
    FakeStore store = new FakeStore();
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 1000 * B, 10 * B, Duration.ofHours(1)).start(new Roles());
    for (long s = 1; s <= 30; s++) {
      collector.accept(letter(s));
    }
    await().until(() -> collector.committed() == 30);
    assertThat(store.batches).allSatisfy(b -> assertThat(b).hasSize(10));
    assertThat(store.sequences()).isSorted().hasSize(30);
    collector.close();
  }

  @Test
  void lettersThatCompleteTheBatchTheFlusherHoldsWakeIt() {
    FakeStore store = new FakeStore();
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 1000 * B, 10 * B, Duration.ofHours(1)).start(new Roles());
    for (long s = 1; s <= 5; s++) {
      collector.accept(letter(s));
    }
    await() // the flusher drains them: it holds half a batch and parks for the interval
        .until(
            () -> {
              collector.nudge();
              return collector.flusherWaiting();
            });
    for (long s = 6; s <= 10; s++) {
      collector.accept(letter(s));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> collector.committed() == 10);
    collector.close();
  }

  @Test
  void commitsALoneLetterOnceTheFlushIntervalHasPassed() {
    FakeStore store = new FakeStore();
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 1000 * B, 500 * B, Duration.ofMillis(50)).start(new Roles());
    collector.accept(letter(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> collector.committed() == 1);
    collector.close();
  }

  @Test
  void aFullQueueMakesAcceptWaitAndNothingIsDropped() throws Exception {
    FakeStore store = new FakeStore();
    store.blocking = true;
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 16 * B, 8 * B, Duration.ofMillis(1)).start(new Roles());
    Thread producer =
        Thread.ofPlatform()
            .start(
                () -> {
                  for (long s = 1; s <= 200; s++) {
                    collector.accept(letter(s));
                  }
                });
    await().until(() -> collector.backPressureWaits() > 0 && producer.isAlive());
    assertThat(collector.committed()).isZero();
    store.open.countDown();
    producer.join(10_000);
    collector.close();
    assertThat(store.sequences()).hasSize(200).isSorted().doesNotHaveDuplicates();
    assertThat(store.closed).isTrue();
  }

  @Test
  void aFailedCommitIsRetriedWithTheSameLetters() {
    FakeStore store = new FakeStore();
    store.failuresLeft.set(1);
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 100 * B, 5 * B, Duration.ofMillis(1)).start(new Roles());
    for (long s = 1; s <= 5; s++) {
      collector.accept(letter(s));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> collector.committed() == 5);
    assertThat(collector.commitFailures()).isEqualTo(1);
    assertThat(store.sequences()).containsExactly(1L, 2L, 3L, 4L, 5L);
    collector.close();
  }

  @Test
  void aStoreThatKeepsFailingIsRetriedAboutOnceASecondEvenWhileProducersWait() {
    FakeStore store = new FakeStore();
    store.failuresLeft.set(Integer.MAX_VALUE);
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 16 * B, 8 * B, Duration.ofMillis(1)).start(new Roles());
    Thread producer = produce(collector, 100);
    await().until(() -> collector.backPressureWaits() > 0);
    await("no tight retry loop")
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> collector.commitFailures() <= 3);
    assertThat(collector.healthy()).isFalse();
    store.failuresLeft.set(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> collector.committed() == 100);
    assertThat(producer.isAlive()).isFalse();
    assertThat(collector.healthy()).isTrue();
    collector.close();
  }

  @Test
  void closingCommitsWhatIsQueued() {
    FakeStore store = new FakeStore();
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 1000 * B, 1000 * B, Duration.ofHours(1)).start(new Roles());
    for (long s = 1; s <= 7; s++) {
      collector.accept(letter(s));
    }
    collector.close();
    assertThat(store.sequences()).hasSize(7);
  }

  @Test
  void
      closingGivesUpOnAStoreThatKeepsFailingOnceItsBudgetIsSpentWithoutSpinningAndCountsWhatIsLost() {
    FakeStore store = new FakeStore();
    store.failuresLeft.set(Integer.MAX_VALUE);
    DeadLetterCollector collector =
        new DeadLetterCollector(
                store, 1000 * B, 1000 * B, Duration.ofMillis(1), Duration.ofSeconds(3))
            .start(new Roles());
    for (long s = 1; s <= 7; s++) {
      collector.accept(letter(s));
    }
    await().until(() -> collector.commitFailures() >= 1);
    long started = System.nanoTime();
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(30), () -> collector.close());
    long millis = (System.nanoTime() - started) / 1_000_000L;
    assertThat(millis).as("kept trying for its budget").isGreaterThanOrEqualTo(2_900);
    assertThat(collector.unstored()).isEqualTo(7);
    assertThat(collector.commitFailures())
        .as("about one retry a second, no hot loop")
        .isLessThanOrEqualTo(6);
    assertThat(store.closed).isTrue();
  }

  @Test
  void
      aProducerWaitingForRoomBehindAFailingStoreStopsWaitingAtTheStopsDeadlineAndItsLettersAreCounted()
          throws Exception {
    FakeStore store = new FakeStore();
    store.failuresLeft.set(Integer.MAX_VALUE);
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 16 * B, 8 * B, Duration.ofMillis(1)).start(new Roles());
    Thread producer = produce(collector, 100);
    await().until(() -> collector.backPressureWaits() > 0 && producer.isAlive());

    collector.giveUpAt(System.nanoTime() + Duration.ofMillis(300).toNanos());

    producer.join(Duration.ofSeconds(10));
    assertThat(producer.isAlive()).as("the producer (the engine) is free again").isFalse();
    collector.accept(letter(101)); // after the deadline: counted at once, never waits
    collector.close();
    assertThat(collector.unstored()).as("every letter not stored is counted").isEqualTo(101);
    assertThat(store.sequences()).isEmpty();
  }

  @Test
  void storedCompletesOnlyOnceTheLettersAcceptedBeforeItAreCommitted() throws Exception {
    FakeStore store = new FakeStore();
    store.blocking = true;
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 1000 * B, 1000 * B, Duration.ofMillis(1)).start(new Roles());
    for (long s = 1; s <= 3; s++) {
      collector.accept(letter(s));
    }
    java.util.concurrent.CompletableFuture<Void> stored = collector.stored();
    collector.accept(letter(4)); // after the fence: not waited for
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !stored.isDone()); // the store is still blocked in the commit

    store.open.countDown();
    stored.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(store.sequences()).startsWith(1L, 2L, 3L);
    collector.close();
  }

  @Test
  void storedCompletesAtOnceWhenNothingIsWaiting() throws Exception {
    DeadLetterCollector collector =
        new DeadLetterCollector(new FakeStore(), 1000 * B, 1000 * B, Duration.ofMillis(5))
            .start(new Roles());
    collector.stored().get(10, java.util.concurrent.TimeUnit.SECONDS);
    collector.close();
  }

  @Test
  void storedFailsWhenTheCollectorGivesUpOnAFailingStore() {
    FakeStore store = new FakeStore();
    store.failuresLeft.set(Integer.MAX_VALUE);
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 1000 * B, 1000 * B, Duration.ofMillis(1)).start(new Roles());
    collector.accept(letter(1));
    java.util.concurrent.CompletableFuture<Void> stored = collector.stored();
    collector.giveUpAt(System.nanoTime() + Duration.ofMillis(200).toNanos());
    await().atMost(Duration.ofSeconds(10)).until(stored::isDone);
    assertThat(stored).isCompletedExceptionally();
    assertThat(collector.stored()).as("asked after giving up").isCompletedExceptionally();
    collector.close();
  }

  @Test
  void indexingThatKeepsFailingIsCountedAndTimedUntilItSucceedsAgain() {
    java.util.concurrent.atomic.AtomicBoolean failing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    FakeStore store =
        new FakeStore() {
          @Override
          public boolean runDeferredWork(boolean force) {
            if (failing.get()) {
              throw new IllegalStateException("Index -2147483648 out of bounds for length 1024");
            }
            return false;
          }
        };
    DeadLetterCollector collector =
        new DeadLetterCollector(store, 100 * B, 5 * B, Duration.ofMillis(1)).start(new Roles());
    await().until(() -> collector.indexFailures() >= 2);
    await().until(() -> collector.indexFailingFor().toMillis() >= 100);
    assertThat(collector.healthy()).as("commits still succeed").isTrue();

    failing.set(false);
    await().until(() -> collector.indexFailingFor().isZero());
    collector.close();
  }
}
