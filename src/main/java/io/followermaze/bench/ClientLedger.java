package io.followermaze.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The lines one client must receive, in order: sequence numbers and line hashes, in a ring so a run
 * of any length needs bounded memory. Written by the generator thread only; {@link #publish()}
 * makes what was written visible to the client's verifier, which reads entries from {@link
 * #consumed()} up to {@link #published()} and reports its progress with {@link #consumed(long)}.
 * The generator waits while the ring is full (a client far behind slows the source).
 */
final class ClientLedger {

  private static final int CAPACITY = 1 << 16;
  private static final int MASK = CAPACITY - 1;
  private static final long FULL_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

  private long[] sequences = new long[64];
  private int[] hashes = new int[64];
  private volatile long published;
  private volatile long consumed;
  private long count;

  /**
   * Records the next expected line; waits while the ring is full. Returns false (and records
   * nothing) if {@code abandoned} says the run is over while waiting.
   */
  boolean expect(long sequence, int hash, Verdicts abandoned) {
    while (count - consumed >= CAPACITY) {
      publish();
      if (abandoned.finished()) {
        return false;
      }
      LockSupport.parkNanos(FULL_PARK_NANOS);
    }
    if (count == sequences.length && sequences.length < CAPACITY) {
      sequences = java.util.Arrays.copyOf(sequences, sequences.length * 2);
      hashes = java.util.Arrays.copyOf(hashes, hashes.length * 2);
    }
    int slot = (int) (count & MASK);
    sequences[slot] = sequence;
    hashes[slot] = hash;
    count++;
    return true;
  }

  /** Makes every expectation so far visible; returns false when there was nothing new. */
  boolean publish() {
    if (published == count) {
      return false;
    }
    published = count;
    return true;
  }

  long published() {
    return published;
  }

  long consumed() {
    return consumed;
  }

  /** The verifier has checked every line below {@code index}. */
  void consumed(long index) {
    consumed = index;
  }

  long sequence(long index) {
    return sequences[(int) (index & MASK)];
  }

  int hash(long index) {
    return hashes[(int) (index & MASK)];
  }
}
