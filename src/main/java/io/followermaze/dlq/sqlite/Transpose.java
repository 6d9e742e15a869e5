package io.followermaze.dlq.sqlite;

import java.util.Arrays;

/**
 * The heart of an indexing pass: turns letters in event order, as {@code (recipient, reason, event
 * offset)} triples, into runs per recipient and reason, each in event order, without an object per
 * recipient (a fan-out to a million users is a million triples in three int arrays). Recipients
 * with ids below {@value #COUNTING_LIMIT} are grouped by a counting sort, O(n); larger ids by
 * sorting packed longs. The arrays are kept and reused from pass to pass.
 */
final class Transpose {

  private static final int COUNTING_LIMIT = 1 << 22;

  /** Receives the runs, in the order of their first letter. */
  interface RunSink {
    /**
     * One run: {@code count} codes from {@code codes[from]}, each {@code event offset << 5 |
     * reason}, in ascending event order.
     */
    void run(int user, int reasonCode, int[] codes, int from, int count)
        throws java.sql.SQLException;
  }

  private int[] users = new int[1 << 12];
  private int[] codes = new int[1 << 12];
  private int[] grouped = new int[0];
  private int[] counts = new int[0];
  private int[] runUser = new int[1 << 10];
  private int[] runReason = new int[1 << 10];
  private int[] runStart = new int[1 << 10];
  private int[] runCount = new int[1 << 10];
  private int runs;
  private int size;
  private int maxUser;

  /** The reasons added this pass, one bit each: with one alone, no run needs splitting. */
  private int reasons;

  /**
   * Adds a letter for {@code user} (-1: none) of reason {@code reasonCode} (below 32) at event
   * {@code offset}.
   */
  void add(int user, int reasonCode, int offset) {
    if (size == users.length) {
      users = Arrays.copyOf(users, size * 2);
      codes = Arrays.copyOf(codes, size * 2);
    }
    int key = user + 1;
    users[size] = key;
    codes[size++] = offset << 5 | reasonCode;
    maxUser = Math.max(maxUser, key);
    reasons |= 1 << reasonCode;
  }

  int size() {
    return size;
  }

  /** Hands every run to {@code sink}, then starts over empty. */
  void drain(RunSink sink) throws java.sql.SQLException {
    if (maxUser < COUNTING_LIMIT) {
      countingSort();
    } else {
      packedSort();
    }
    long[] order = new long[runs];
    for (int r = 0; r < runs; r++) {
      order[r] = (long) (grouped[runStart[r]] >>> 5) << 32 | r;
    }
    Arrays.sort(order);
    for (long packed : order) {
      int r = (int) packed;
      sink.run(runUser[r] - 1, runReason[r], grouped, runStart[r], runCount[r]);
    }
    size = 0;
    maxUser = 0;
    runs = 0;
    reasons = 0;
  }

  /**
   * Groups codes by user, keeping event order within each user (a stable counting sort), then finds
   * the runs.
   */
  private void countingSort() {
    if (counts.length < maxUser + 2) {
      counts = new int[Math.max(maxUser + 2, counts.length * 2)];
    } else {
      Arrays.fill(counts, 0, maxUser + 2, 0);
    }
    for (int i = 0; i < size; i++) {
      counts[users[i] + 1]++;
    }
    for (int u = 1; u <= maxUser + 1; u++) {
      counts[u] += counts[u - 1];
    }
    ensureGrouped();
    for (int i = 0; i < size; i++) {
      grouped[counts[users[i]]++] = codes[i];
    }
    // counts[k] is now where user key k's range ends (and k + 1's begins).
    int start = 0;
    for (int key = 0; key <= maxUser; key++) {
      int end = counts[key];
      if (end > start) {
        splitByReason(key, start, end);
      }
      start = end;
    }
  }

  /** For ids too large to count: sort (user, code) packed into longs, then find the runs. */
  private void packedSort() {
    long[] packed = new long[size];
    for (int i = 0; i < size; i++) {
      packed[i] = (long) users[i] << 32 | (codes[i] & 0xffffffffL);
    }
    Arrays.sort(packed);
    ensureGrouped();
    for (int i = 0; i < size; i++) {
      users[i] = (int) (packed[i] >>> 32);
      grouped[i] = (int) packed[i];
    }
    int i = 0;
    while (i < size) {
      int end = i;
      while (end < size && users[end] == users[i]) {
        end++;
      }
      splitByReason(users[i], i, end);
      i = end;
    }
  }

  /**
   * One run per reason within a user's range {@code [start, end)}, keeping event order (nearly
   * every range has one reason; the others are rearranged in place by reason, stably).
   */
  private void splitByReason(int key, int start, int end) {
    int first = grouped[start] & 31;
    if (Integer.bitCount(reasons) == 1) {
      addRun(key, first, start, end - start); // the common pass: every letter has one reason
      return;
    }
    boolean mixed = false;
    for (int j = start + 1; j < end && !mixed; j++) {
      mixed = (grouped[j] & 31) != first;
    }
    if (!mixed) {
      addRun(key, first, start, end - start);
      return;
    }
    stableByReason(start, end);
    int from = start;
    for (int j = start + 1; j <= end; j++) {
      if (j == end || (grouped[j] & 31) != (grouped[from] & 31)) {
        addRun(key, grouped[from] & 31, from, j - from);
        from = j;
      }
    }
  }

  private void ensureGrouped() {
    if (grouped.length < size) {
      grouped = new int[Math.max(size, grouped.length * 2)];
    }
  }

  private void stableByReason(int from, int to) {
    int[] copy = Arrays.copyOfRange(grouped, from, to);
    int at = from;
    for (int reason = 0; reason < 32; reason++) {
      for (int code : copy) {
        if ((code & 31) == reason) {
          grouped[at++] = code;
        }
      }
    }
  }

  private void addRun(int user, int reason, int start, int count) {
    if (runs == runUser.length) {
      runUser = Arrays.copyOf(runUser, runs * 2);
      runReason = Arrays.copyOf(runReason, runs * 2);
      runStart = Arrays.copyOf(runStart, runs * 2);
      runCount = Arrays.copyOf(runCount, runs * 2);
    }
    runUser[runs] = user;
    runReason[runs] = reason;
    runStart[runs] = start;
    runCount[runs++] = count;
  }
}
