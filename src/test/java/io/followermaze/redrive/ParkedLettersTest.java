package io.followermaze.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.ParkedStore;
import io.followermaze.dlq.Reason;
import io.followermaze.dlq.Redelivery;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.StoredDeadLetter;
import io.followermaze.dlq.sqlite.SqliteDeadLetterStore;
import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finds and settles over a real SQLite store whose marks can be made to fail. */
class ParkedLettersTest {

  @TempDir Path dir;
  private SqliteDeadLetterStore sqlite;
  private FailingMarks store;
  private ParkedLetters parked;

  @BeforeEach
  void open() {
    sqlite =
        SqliteDeadLetterStore.open(
            dir, false, new SqliteDeadLetterStore.Retention(Duration.ofDays(1), 1_000_000));
    List<DeadLetter> letters = new ArrayList<>();
    for (int sequence = 1; sequence <= 6; sequence++) {
      letters.add(offline(sequence, 7));
    }
    sqlite.append(List.of(DeadLetterBlock.of(letters)));
    while (sqlite.catchUp(true)) {
      // Index every pending block.
    }
    store = new FailingMarks(sqlite);
    parked = new ParkedLetters(store);
  }

  @AfterEach
  void close() {
    parked.close();
  }

  @Test
  void twoFindsBeforeASettleNeverReturnTheSameLetter() {
    List<Redelivery> first = find(4);
    List<Redelivery> second = find(4);
    assertThat(sequences(first)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(sequences(second)).containsExactly(5L, 6L);
    assertThat(find(4)).isEmpty();
  }

  @Test
  void lettersFoundButNotQueuedCanBeFoundAgainAndQueuedOnesAreMarked() {
    List<Redelivery> found = find(4);
    parked.settle(found, List.of(found.get(0).id(), found.get(1).id()));
    assertThat(sequences(find(10))).containsExactly(3L, 4L, 5L, 6L);
    assertThat(sqlite.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10)).hasSize(4);
    assertThat(parked.redriven()).isEqualTo(2);
  }

  @Test
  void aFailedMarkKeepsTheDeliveredLettersOutOfLaterFindsAndIsTriedAgain() {
    List<Redelivery> found = find(2);
    store.failing = true;
    List<Long> queued = found.stream().map(Redelivery::id).toList();
    assertThatThrownBy(() -> parked.settle(found, queued)).hasMessageContaining("disk full");
    assertThat(sequences(find(10))).containsExactly(3L, 4L, 5L, 6L);
    assertThat(sqlite.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10)).hasSize(6);

    store.failing = false;
    List<Redelivery> none = List.of();
    parked.settle(none, List.of());
    List<Long> left =
        sqlite.parked(DeadLetterFilter.ALL, ParkedCursor.START, 10).stream()
            .map(s -> s.letter().sequence())
            .toList();
    assertThat(left).containsExactly(3L, 4L, 5L, 6L);
  }

  private List<Redelivery> find(int limit) {
    return parked.find(DeadLetterFilter.ALL.forRecipient(7), ParkedCursor.START, limit);
  }

  private static List<Long> sequences(List<Redelivery> letters) {
    return letters.stream().map(r -> r.event().sequence()).toList();
  }

  private static DeadLetter offline(long sequence, int recipient) {
    Event event = (Event) EventParser.parse((sequence + "|P|1|" + recipient + "\n").getBytes());
    return DeadLetter.undeliverable(
        Reason.USER_NOT_CONNECTED,
        event,
        recipient,
        "source#1 127.0.0.1:1",
        sequence,
        Reason.USER_NOT_CONNECTED.usualError());
  }

  /** The real store, whose marks fail while {@link #failing} is set (a full disk). */
  private static final class FailingMarks implements ParkedStore {
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
