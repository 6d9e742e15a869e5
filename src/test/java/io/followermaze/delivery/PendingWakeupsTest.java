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

  @Test
  void theFirstNotificationAfterAPauseIsWrittenAtOnce() {
    ClientSession session = session(8192);
    session.enqueue(message(1, 7));
    wakeups.add(session, 1_000);

    wakeups.wakeAll(1_000, 1_000);

    assertThat(wakeups.overflowing()).isFalse();
    assertThat(wakeups.nextDueNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void whileInputKeepsComingAWriterIsWokenAtMostOncePerLinger() {
    ClientSession session = session(8192);
    session.enqueue(message(1, 7));
    wakeups.add(session, 1_000);
    wakeups.wakeAll(1_000, 1_000); // woken at 1_000

    session.enqueue(message(2, 7));
    wakeups.add(session, 2_000);
    long justBefore = 1_000 + LINGER - 1;
    wakeups.wakeAll(justBefore, justBefore);
    assertThat(wakeups.overflowing()).isTrue();
    assertThat(wakeups.nextDueNanos()).isEqualTo(1_000 + LINGER);

    wakeups.wakeAll(1_000 + LINGER, 1_000 + LINGER);
    assertThat(wakeups.overflowing()).isFalse();
  }

  @Test
  void whenInputPausesWhatLingersIsWrittenWithoutWaitingOutTheLinger() {
    ClientSession session = session(8192);
    session.enqueue(message(1, 7));
    wakeups.add(session, 1_000);
    wakeups.wakeAll(1_000, 1_000); // woken at 1_000

    session.enqueue(message(2, 7));
    wakeups.add(session, 2_000);
    wakeups.wakeAll(3_000, 2_000); // the last input came at 2_000
    assertThat(wakeups.overflowing()).isTrue();
    assertThat(wakeups.nextDueNanos()).isEqualTo(2_000 + PAUSE);

    wakeups.wakeAll(2_000 + PAUSE, 2_000);
    assertThat(wakeups.overflowing()).isFalse();
  }

  @Test
  void aSessionWhoseQueueFillsAWriteIsWokenWithoutWaitingOutTheLinger() {
    ClientSession session = session(64);
    session.enqueue(message(1, 7));
    wakeups.add(session, 1_000);
    wakeups.wakeAll(1_000, 1_000); // woken at 1_000

    for (int s = 2; s <= 11; s++) { // 10 lines of 9 bytes: more than one 64-byte write
      session.enqueue(message(s, 7));
    }
    wakeups.add(session, 2_000);
    wakeups.wakeAll(2_000, 2_000);

    assertThat(wakeups.overflowing()).isFalse();
  }

  @Test
  void onlyWhatWasQueuedSinceTheLastWakeUpCountsTowardsAFullWrite() {
    ClientSession session = session(64);
    for (int s = 1; s <= 10; s++) {
      session.enqueue(message(s, 7));
    }
    wakeups.add(session, 1_000);
    wakeups.wakeAll(1_000, 1_000); // woken: the writer owns those 90 bytes now

    session.enqueue(message(11, 7));
    wakeups.add(session, 3_000);
    wakeups.wakeAll(4_000, 4_000);

    assertThat(wakeups.overflowing()).isTrue();
    assertThat(wakeups.nextDueNanos()).isEqualTo(4_000 + PAUSE); // unless more input comes
  }
}
