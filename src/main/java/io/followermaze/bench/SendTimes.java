package io.followermaze.bench;

import java.util.Arrays;

/**
 * When each batch of events went to the server, so verifiers can measure delivery latency. Written
 * by the generator only; readers see entries below {@link #published}.
 */
final class SendTimes {

  private volatile long[] firstSequences = new long[1024];
  private volatile long[] nanos = new long[1024];
  private volatile int published;
  private int count;

  void batchSent(long firstSequence, long nanoTime) {
    if (count == firstSequences.length) {
      nanos = Arrays.copyOf(nanos, count * 2);
      firstSequences = Arrays.copyOf(firstSequences, count * 2);
    }
    firstSequences[count] = firstSequence;
    nanos[count] = nanoTime;
    published = ++count;
  }

  /** When the batch holding {@code sequence} was sent, or -1 when it is not known. */
  long sentAt(long sequence) {
    int size = published;
    long[] starts = firstSequences;
    long[] times = nanos;
    int index = Arrays.binarySearch(starts, 0, size, sequence);
    if (index < 0) {
      index = -index - 2;
    }
    return index < 0 ? -1 : times[index];
  }
}
