package io.followermaze.bench;

/**
 * When each batch of events went to the server, so verifiers can measure delivery latency: a ring
 * of the last {@value #CAPACITY} batches, so long runs need bounded memory. Written by the
 * generator only; readers search the entries below {@link #published}. A sequence number older than
 * the ring has no known send time.
 */
final class SendTimes {

  private static final int CAPACITY = 1 << 20;
  private static final int MASK = CAPACITY - 1;

  private final long[] firstSequences = new long[CAPACITY];
  private final long[] nanos = new long[CAPACITY];
  private volatile long published;

  void batchSent(long firstSequence, long nanoTime) {
    long count = published;
    int slot = (int) (count & MASK);
    firstSequences[slot] = firstSequence;
    nanos[slot] = nanoTime;
    published = count + 1;
  }

  /** When the batch holding {@code sequence} was sent, or -1 when it is not known. */
  long sentAt(long sequence) {
    long end = published;
    long low = Math.max(0, end - CAPACITY + 1);
    long high = end - 1;
    if (high < low || firstSequences[(int) (low & MASK)] > sequence) {
      return -1;
    }
    while (low < high) {
      long mid = (low + high + 1) >>> 1;
      if (firstSequences[(int) (mid & MASK)] <= sequence) {
        low = mid;
      } else {
        high = mid - 1;
      }
    }
    return nanos[(int) (low & MASK)];
  }
}
