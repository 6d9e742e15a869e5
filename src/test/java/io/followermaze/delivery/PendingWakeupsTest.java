package io.followermaze.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Lingering wake-ups: when a noted writer is due, and what the idle engine may sleep until. */
class PendingWakeupsTest {

  private static final long LINGER = Duration.ofSeconds(1).toNanos();
  private static final long PAUSE = LINGER / 5;

  private final PendingWakeups wakeups = new PendingWakeups(Duration.ofNanos(LINGER));

  private static Event message(long sequence, int to) {
    return (Event)
        EventParser.parse((sequence + "|P|1|" + to + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static ClientSession session(int writeBufferBytes) {
    return new ClientSession(7, InMemoryConnection.draining(), "client 7", writeBufferBytes);
  }

  /** Queues lines {@code first..last} for {@code session} and notes it at {@code atNanos}. */
  private void queue(ClientSession session, int first, int last, long atNanos) {
    for (int s = first; s <= last; s++) {
      session.enqueue(message(s, 7));
    }
    wakeups.add(session, atNanos);
  }

  /** A session whose writer was last woken at 1_000, for line 1 (9 bytes). */
  private ClientSession wokenAt1000(int writeBufferBytes) {
    ClientSession session = session(writeBufferBytes);
    queue(session, 1, 1, 1_000);
    wakeups.wakeAll(1_000, 1_000);
    return session;
  }

  @Test
  void theFirstNotificationAfterAPauseIsWrittenAtOnce() {
    wokenAt1000(8192);

    assertThat(wakeups.overflowing()).isFalse();
    assertThat(wakeups.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void whileInputKeepsComingAWriterIsWokenAtMostOncePerLinger() {
    ClientSession session = wokenAt1000(8192);

    queue(session, 2, 2, 2_000);
    long justBefore = 1_000 + LINGER - 1;
    wakeups.wakeAll(justBefore, justBefore);
    assertThat(wakeups.overflowing()).isTrue();
    assertThat(wakeups.nextDueNanos()).isEqualTo(1_000 + LINGER);

    wakeups.wakeAll(1_000 + LINGER, 1_000 + LINGER);
    assertThat(wakeups.overflowing()).isFalse();
  }

  @Test
  void whenInputPausesWhatLingersIsWrittenWithoutWaitingOutTheLinger() {
    ClientSession session = wokenAt1000(8192);

    queue(session, 2, 2, 2_000);
    wakeups.wakeAll(3_000, 2_000); // the last input came at 2_000
    assertThat(wakeups.overflowing()).isTrue();
    assertThat(wakeups.nextDueNanos()).isEqualTo(2_000 + PAUSE);

    wakeups.wakeAll(2_000 + PAUSE, 2_000);
    assertThat(wakeups.overflowing()).isFalse();
  }

  @Test
  void aSessionWhoseQueueFillsAWriteIsWokenWithoutWaitingOutTheLinger() {
    ClientSession session = wokenAt1000(64);

    queue(session, 2, 11, 2_000); // 10 lines of 9 bytes: more than one 64-byte write
    wakeups.wakeAll(2_000, 2_000);

    assertThat(wakeups.overflowing()).isFalse();
  }

  @Test
  void onlyWhatWasQueuedSinceTheLastWakeUpCountsTowardsAFullWrite() {
    ClientSession session = session(64);
    queue(session, 1, 10, 1_000);
    wakeups.wakeAll(1_000, 1_000); // woken: the writer owns those 90 bytes now

    queue(session, 11, 11, 3_000);
    wakeups.wakeAll(4_000, 4_000);

    assertThat(wakeups.overflowing()).isTrue();
    assertThat(wakeups.nextDueNanos()).isEqualTo(4_000 + PAUSE); // unless more input comes
  }
}
