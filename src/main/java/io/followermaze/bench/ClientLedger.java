package io.followermaze.bench;

import java.util.Arrays;

/**
 * The lines one client must receive, in order: sequence numbers and line hashes. Written by the
 * generator thread only; {@link #publish()} makes what was written visible to the client's
 * verifier, which must only read entries below {@link #published()}.
 */
final class ClientLedger {

  private volatile long[] sequences = new long[64];
  private volatile int[] hashes = new int[64];
  private volatile int published;
  private int count;

  void expect(long sequence, int hash) {
    if (count == sequences.length) {
      hashes = Arrays.copyOf(hashes, count * 2);
      sequences = Arrays.copyOf(sequences, count * 2);
    }
    sequences[count] = sequence;
    hashes[count] = hash;
    count++;
  }

  /** Makes every expectation so far visible; returns false when there was nothing new. */
  boolean publish() {
    if (published == count) {
      return false;
    }
    published = count;
    return true;
  }

  int published() {
    return published;
  }

  long sequence(int index) {
    return sequences[index];
  }

  int hash(int index) {
    return hashes[index];
  }
}
