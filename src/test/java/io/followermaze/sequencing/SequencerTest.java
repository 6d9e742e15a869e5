package io.followermaze.sequencing;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.protocol.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SequencerTest {

  /** Records every outcome. */
  static final class Recorder implements Sequencer.Listener {
    final List<Long> delivered = new ArrayList<>();
    final List<Long> duplicates = new ArrayList<>();
    final List<Long> outOfRange = new ArrayList<>();
    final List<long[]> gaps = new ArrayList<>();
    final List<GapTrigger> triggers = new ArrayList<>();
    final List<Integer> held = new ArrayList<>();
    final List<Long> waits = new ArrayList<>();

    @Override
    public void inOrder(Event event) {
      delivered.add(event.sequence());
    }

    @Override
    public void duplicate(Event event, String why) {
      duplicates.add(event.sequence());
    }

    @Override
    public void outOfRange(Event event, String why) {
      outOfRange.add(event.sequence());
    }

    @Override
    public void gap(long first, long last, int heldBehind, long waitedNanos, GapTrigger trigger) {
      gaps.add(new long[] {first, last});
      triggers.add(trigger);
      held.add(heldBehind);
      waits.add(waitedNanos);
    }

    List<Long> skipped() {
      List<Long> all = new ArrayList<>();
      gaps.forEach(g -> LongStream.rangeClosed(g[0], g[1]).forEach(all::add));
      return all;
    }
  }

  private final Recorder recorder = new Recorder();

  private static Event event(long sequence) {
    return new Event.Broadcast(sequence, (sequence + "|B\n").getBytes());
  }

  private void offer(Sequencer sequencer, long... sequences) {
    for (long s : sequences) {
      sequencer.offer(event(s), 0);
    }
  }

  static Stream<Arguments> seedsAndBatches() {
    return Stream.of(1, 100, 10_000)
        .flatMap(
            batch -> LongStream.rangeClosed(1, 12).mapToObj(seed -> Arguments.of(seed, batch)));
  }

  @ParameterizedTest(name = "seed {0}, batches up to {1}")
  @MethodSource("seedsAndBatches")
  void deliversEveryEventInOrderWhenShuffledWithinBatches(long seed, int maxBatch) {
    Random random = new Random(seed);
    Sequencer sequencer = new Sequencer(recorder, 50_000, 1 << 20);
    List<Long> arrivals = new ArrayList<>();
    long total = 50_000;
    for (long first = 1; first <= total; ) {
      int size = (int) Math.min(1 + random.nextInt(maxBatch), total - first + 1);
      List<Long> batch = new ArrayList<>();
      for (long s = first; s < first + size; s++) {
        batch.add(s);
      }
      java.util.Collections.shuffle(batch, random);
      arrivals.addAll(batch);
      first += size;
    }
    arrivals.forEach(s -> sequencer.offer(event(s), 0));

    assertThat(recorder.delivered).hasSize((int) total);
    assertThat(recorder.delivered).isSorted().startsWith(1L).endsWith(total);
    assertThat(recorder.duplicates).isEmpty();
    assertThat(recorder.gaps).isEmpty();
    assertThat(sequencer.buffered()).isZero();
    assertThat(sequencer.maxLateness()).isLessThan(maxBatch);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void accountsForEveryNumberOnceWhenLinesGoMissingOrRepeat(long seed) {
    Random random = new Random(seed);
    Sequencer sequencer = new Sequencer(recorder, 200, 1 << 12);
    List<Long> arrivals = new ArrayList<>();
    long total = 20_000;
    for (long s = 1; s <= total; s++) {
      if (random.nextInt(50) != 0) {
        arrivals.add(s);
      }
      if (random.nextInt(80) == 0) {
        arrivals.add(s);
      }
    }
    for (int i = 0; i < arrivals.size(); i++) {
      int j = Math.min(arrivals.size() - 1, i + random.nextInt(40));
      java.util.Collections.swap(arrivals, i, j);
    }
    arrivals.forEach(s -> sequencer.offer(event(s), 0));
    sequencer.skipAllGaps(GapTrigger.SOURCE_DISCONNECTED, 0);

    List<Long> accounted = new ArrayList<>(recorder.delivered);
    accounted.addAll(recorder.skipped());
    assertThat(recorder.delivered).isSorted().doesNotHaveDuplicates();
    assertThat(accounted).doesNotHaveDuplicates();
    long highest = arrivals.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(accounted).hasSize((int) highest);
    assertThat(recorder.delivered.size() + recorder.duplicates.size()).isEqualTo(arrivals.size());
  }

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 20);
  }

  @Test
  void holdsEventsBehindAMissingNumberThenReleasesAllContiguousSuccessorsAtOnce() {
    Sequencer sequencer = new Sequencer(recorder, 1000, 1 << 16);
    offer(sequencer, 2, 3, 5, 4);
    assertThat(recorder.delivered).isEmpty();
    assertThat(sequencer.buffered()).isEqualTo(4);
    offer(sequencer, 1);
    assertThat(recorder.delivered).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(sequencer.next()).isEqualTo(6);
  }

  @Test
  void reportsADuplicateOfAWaitingOrDeliveredNumberAndKeepsTheFirst() {
    Sequencer sequencer = new Sequencer(recorder, 1000, 1 << 16);
    offer(sequencer, 1, 3, 3, 1, 2);
    assertThat(recorder.delivered).containsExactly(1L, 2L, 3L);
    assertThat(recorder.duplicates).containsExactly(3L, 1L);
  }

  @Test
  void skipsAMissingNumberOnceTheStreamIsTheGapDistancePastIt() {
    Sequencer sequencer = new Sequencer(recorder, 10, 1 << 16);
    offer(sequencer, 1);
    for (long s = 3; s <= 11; s++) {
      offer(sequencer, s);
    }
    assertThat(recorder.gaps).isEmpty();
    offer(sequencer, 12);
    assertThat(recorder.gaps).singleElement().satisfies(g -> assertThat(g).containsExactly(2, 2));
    assertThat(recorder.triggers).containsExactly(GapTrigger.STREAM_MOVED_ON);
    assertThat(recorder.held).containsExactly(10);
    assertThat(recorder.delivered).containsExactly(1L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
  }

  @Test
  void aLateEventWithinTheDistanceIsNeverSkipped() {
    Sequencer sequencer = new Sequencer(recorder, 10, 1 << 16);
    offer(sequencer, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1);
    assertThat(recorder.gaps).isEmpty();
    assertThat(recorder.delivered).hasSize(10).isSorted();
  }

  @Test
  void theGapDistanceGrowsToTwiceTheLargestReorderTheSourceHasShown() {
    Sequencer sequencer = new Sequencer(recorder, 50, 1 << 16);
    for (long s = 2; s <= 30; s++) {
      offer(sequencer, s);
    }
    offer(sequencer, 1);
    assertThat(sequencer.maxLateness()).isEqualTo(29);
    assertThat(sequencer.gapDistance()).isEqualTo(58);
    for (long s = 32; s <= 31 + 57; s++) {
      offer(sequencer, s);
    }
    assertThat(recorder.gaps).as("57 past the gap is not far enough yet").isEmpty();
    offer(sequencer, 31 + 58);
    assertThat(recorder.skipped()).containsExactly(31L);
  }

  @Test
  void aSingleNumberFarAheadIsHeldButNeverMovesTheStreamOn() {
    Sequencer sequencer = new Sequencer(recorder, 10, 1 << 16);
    offer(sequencer, 1, 60_000);
    for (long s = 2; s <= 100; s++) {
      offer(sequencer, s);
    }
    assertThat(recorder.gaps).isEmpty();
    assertThat(recorder.delivered).hasSize(100).isSorted().endsWith(100L);
    assertThat(sequencer.buffered()).isEqualTo(1);
    assertThat(sequencer.maxLateness()).as("an outlier is not reorder").isLessThanOrEqualTo(1);
  }

  @Test
  void aNumberBeyondTheWindowIsOutOfRangeAndTheStreamGoesOn() {
    Sequencer sequencer = new Sequencer(recorder, 10, 1 << 16);
    offer(sequencer, 1, 999_999_999_999_999_999L, 2, 3);
    assertThat(recorder.delivered).containsExactly(1L, 2L, 3L);
    assertThat(recorder.outOfRange).containsExactly(999_999_999_999_999_999L);
    assertThat(recorder.duplicates).isEmpty();
    assertThat(recorder.gaps).isEmpty();
  }

  @Test
  void aStaleDuplicateDoesNotStretchTheGapDistance() {
    Sequencer sequencer = new Sequencer(recorder, 10, 1 << 16);
    for (long s = 1; s <= 50_000; s++) {
      offer(sequencer, s);
    }
    offer(sequencer, 1);
    assertThat(recorder.duplicates).containsExactly(1L);
    assertThat(sequencer.gapDistance()).isEqualTo(10);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void corruptingOneNumberInAThousandStillDeliversEveryValidEventInOrder(long seed) {
    Random random = new Random(seed);
    Sequencer sequencer = new Sequencer(recorder, 1_000, 1 << 16);
    List<Long> arrivals = new ArrayList<>();
    List<Long> corrupted = new ArrayList<>();
    long total = 100_000;
    for (long first = 1; first <= total; ) {
      int size = (int) Math.min(1 + random.nextInt(100), total - first + 1);
      List<Long> batch = new ArrayList<>();
      for (long s = first; s < first + size; s++) {
        if (random.nextInt(1_000) == 0) {
          corrupted.add(s);
          batch.add(1_000_000_000_000L + Math.abs(random.nextLong() % 1_000_000_000_000_000L));
        } else {
          batch.add(s);
        }
      }
      java.util.Collections.shuffle(batch, random);
      arrivals.addAll(batch);
      first += size;
    }
    arrivals.forEach(s -> sequencer.offer(event(s), 0));
    sequencer.skipAllGaps(GapTrigger.SOURCE_DISCONNECTED, 0);

    java.util.Set<Long> lost = new java.util.HashSet<>(corrupted);
    List<Long> valid =
        LongStream.rangeClosed(1, total).boxed().filter(s -> !lost.contains(s)).toList();
    assertThat(recorder.delivered).isEqualTo(valid);
    assertThat(recorder.outOfRange).hasSize(corrupted.size());
    assertThat(recorder.skipped()).containsExactlyElementsOf(corrupted);
    assertThat(recorder.duplicates).isEmpty();
  }

  @Test
  void skipAllGapsReleasesEverythingHeldReportingEachRange() {
    Sequencer sequencer = new Sequencer(recorder, 1000, 1 << 16);
    offer(sequencer, 3, 4, 7, 10);
    sequencer.skipAllGaps(GapTrigger.SOURCE_DISCONNECTED, 0);
    assertThat(recorder.delivered).containsExactly(3L, 4L, 7L, 10L);
    assertThat(recorder.gaps)
        .extracting(g -> g[0] + ".." + g[1])
        .containsExactly("1..2", "5..6", "8..9");
    assertThat(recorder.triggers).containsOnly(GapTrigger.SOURCE_DISCONNECTED);
    assertThat(sequencer.next()).isEqualTo(11);
    offer(sequencer, 2);
    assertThat(recorder.duplicates).containsExactly(2L);
  }

  @Test
  void growsItsWindowBeyondTheInitialCapacity() {
    Sequencer sequencer = new Sequencer(recorder, 50_000, 1 << 20);
    for (long s = 20_000; s >= 1; s--) {
      offer(sequencer, s);
    }
    assertThat(recorder.delivered).hasSize(20_000).isSorted();
    assertThat(recorder.gaps).isEmpty();
  }

  @Test
  void reportsHowLongAGapWasOpen() {
    Sequencer sequencer = new Sequencer(recorder, 1000, 1 << 16);
    sequencer.offer(event(2), 1_000);
    sequencer.skipAllGaps(GapTrigger.TIMEOUT, 5_000);
    assertThat(recorder.waits).containsExactly(4_000L);
  }

  @Test
  void aResumedSequencerContinuesAfterTheLastNumberAndCallsOlderOnesDuplicates() {
    Sequencer sequencer = new Sequencer(recorder, 1000, 1 << 16);
    sequencer.resumeAfter(5_000_000);

    offer(sequencer, 5_000_002, 5_000_001, 4_999_999, 5_000_003);

    assertThat(recorder.delivered).containsExactly(5_000_001L, 5_000_002L, 5_000_003L);
    assertThat(recorder.duplicates).containsExactly(4_999_999L);
    assertThat(sequencer.next()).isEqualTo(5_000_004);
  }
}
