package io.followermaze.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.RedriveStore;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.testing.TestStores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finds and settles over a real SQLite store whose marks can be made to fail. */
class RedriveConnectionTest {

  @TempDir Path dir;
  private SqliteDeadLetterStore sqlite;
  private FailingMarks store;
  private RedriveConnection parked;

  @BeforeEach
  void open() {
    sqlite = TestStores.open(dir);
    List<DeadLetter> letters = new ArrayList<>();
    for (int sequence = 1; sequence <= 6; sequence++) {
      letters.add(offline(sequence, 7));
    }
    TestStores.commit(sqlite, letters);
    store = new FailingMarks(sqlite);
    parked = new RedriveConnection(store);
  }

  @AfterEach
  void close() {
    parked.close();
  }

  @Test
  void twoFindsBeforeASettleNeverReturnTheSameLetter() {
    List<ParkedLetter> first = find(4);
    List<ParkedLetter> second = find(4);
    assertThat(sequences(first)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(sequences(second)).containsExactly(5L, 6L);
    assertThat(find(4)).isEmpty();
  }

  @Test
  void lettersFoundButNotQueuedCanBeFoundAgainAndQueuedOnesAreMarked() {
    List<ParkedLetter> found = find(4);
    parked.settle(found, List.of(found.get(0).id(), found.get(1).id()));
    assertThat(sequences(find(10))).containsExactly(3L, 4L, 5L, 6L);
    assertThat(sqlite.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10)).hasSize(4);
    assertThat(parked.redriven()).isEqualTo(2);
  }

  @Test
  void aFailedMarkKeepsTheDeliveredLettersOutOfLaterFindsAndIsTriedAgain() {
    List<ParkedLetter> found = find(2);
    store.failing = true;
    List<Long> queued = found.stream().map(ParkedLetter::id).toList();
    assertThatThrownBy(() -> parked.settle(found, queued)).hasMessageContaining("disk full");
    assertThat(sequences(find(10))).containsExactly(3L, 4L, 5L, 6L);
    assertThat(sqlite.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10)).hasSize(6);

    store.failing = false;
    List<ParkedLetter> none = List.of();
    parked.settle(none, List.of());
    List<Long> left =
        sqlite.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10).stream()
            .map(s -> s.letter().sequence())
            .toList();
    assertThat(left).containsExactly(3L, 4L, 5L, 6L);
  }

  private List<ParkedLetter> find(int limit) {
    return parked.find(DeadLetterFilter.ALL.forRecipient(7), ParkedCursor.START, limit);
  }

  private static List<Long> sequences(List<ParkedLetter> letters) {
    return letters.stream().map(r -> r.event().sequence()).toList();
  }

  private static DeadLetter offline(long sequence, int recipient) {
    return TestStores.offline(sequence, recipient, sequence);
  }

  /** The real store, whose marks fail while {@link #failing} is set (a full disk). */
  private static final class FailingMarks implements RedriveStore {
    private final SqliteDeadLetterStore store;
    volatile boolean failing;

    FailingMarks(SqliteDeadLetterStore store) {
      this.store = store;
    }

    @Override
    public List<StoredDeadLetter> parked(DeadLetterFilter filter, ParkedCursor after, int limit) {
      return store.parked(filter, after, limit);
    }

    @Override
    public void markRedriven(List<Long> ids, long nowMillis) {
      if (failing) {
        throw new IllegalStateException("disk full");
      }
      store.markRedriven(ids, nowMillis);
    }

    @Override
    public Optional<RedriveRequest> takePendingRedrive() {
      return store.takePendingRedrive();
    }

    @Override
    public void recordRedrive(RedriveRequest progress, long nowMillis) {
      store.recordRedrive(progress, nowMillis);
    }

    @Override
    public long resumeInterruptedRedrives() {
      return store.resumeInterruptedRedrives();
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
