package io.followermaze.dlq.sqlite;

import java.util.Arrays;
import org.agrona.collections.Int2IntHashMap;

/**
 * The heart of an indexing pass: turns letters in event order, as {@code (recipient, reason, event
 * offset)} triples, into runs per recipient and reason, each already encoded in {@link Pointers}'
 * format (delta varints, the first one 0) — in one pass, without an object per recipient.
 *
 * <p>Each run is a <em>slot</em>: a few ints in parallel arrays and a segment of one shared byte
 * arena that doubles (moving to the arena's end) when full, so a letter costs one slot lookup and
 * one to three byte writes. A run reaching {@link Pointers#MAX_PER_ROW} letters is sealed and its
 * slot starts a new segment. Ids below {@value #DIRECT_LIMIT} find their slot in an array, larger
 * ones in a hash map. The arrays are kept and reused from pass to pass.
 */
final class Transpose {

  private static final int DIRECT_LIMIT = 1 << 20;
  private static final int FIRST_SEGMENT = 8;
  private static final int MAX_VARINT = 5;

  /** Receives the runs, in the order of their first letter. */
  interface RunSink {
    /**
     * One run of {@code count} letters for {@code user} (-1: none) with reason {@code reasonCode},
     * from event offset {@code first} to {@code last}: the offsets are {@code data[from, from +
     * length)}, delta varints starting from {@code first} (so the first is 0).
     */
    void run(
        int user, int reasonCode, int first, int last, int count, byte[] data, int from, int length)
        throws java.sql.SQLException;
  }

  private int[] slotByKey = new int[1 << 10]; // key = user + 1 -> slot + 1 (0: none)
  private final Int2IntHashMap slotByLargeKey = new Int2IntHashMap(0);

  // One slot per (user, reason) seen this pass. slotOther chains a user's slots of other reasons.
  private int slots;
  private int[] slotKey = new int[1 << 10];
  private byte[] slotReason = new byte[1 << 10];
  private int[] slotOther = new int[1 << 10];
  private int[] slotFirst = new int[1 << 10];
  private int[] slotLast = new int[1 << 10];
  private int[] slotCount = new int[1 << 10];
  private int[] slotStart = new int[1 << 10];
  private int[] slotPosition = new int[1 << 10];
  private int[] slotEnd = new int[1 << 10];

  // Runs sealed at MAX_PER_ROW: (slot, first, last, count, start, end).
  private int sealed;
  private int[] sealedRuns = new int[6 * 16];

  private byte[] arena = new byte[1 << 16];
  private int arenaSize;
  private int size;

  /**
   * Adds a letter for {@code user} (-1: none) of reason {@code reasonCode} at event {@code offset}.
   */
  void add(int user, int reasonCode, int offset) {
    int key = user + 1;
    int slot = key < DIRECT_LIMIT && key < slotByKey.length ? slotByKey[key] - 1 : find(key);
    while (slot >= 0 && slotReason[slot] != reasonCode) {
      slot = slotOther[slot] - 1;
    }
    if (slot < 0 || slotCount[slot] == Pointers.MAX_PER_ROW) {
      slot = open(slot, key, reasonCode, offset);
    }
    int position = slotPosition[slot];
    if (position + MAX_VARINT > slotEnd[slot]) {
      position = grow(slot);
    }
    int delta = offset - slotLast[slot];
    while ((delta & ~0x7f) != 0) {
      arena[position++] = (byte) ((delta & 0x7f) | 0x80);
      delta >>>= 7;
    }
    arena[position++] = (byte) delta;
    slotPosition[slot] = position;
    slotLast[slot] = offset;
    slotCount[slot]++;
    size++;
  }

  /** Letters added since the last drain. */
  int size() {
    return size;
  }

  /** Runs open this pass: what an indexing pass bounds its memory by. */
  int slots() {
    return slots;
  }

  /**
   * Hands every run to {@code sink}, in the order of their first letter, then starts over empty.
   */
  void drain(RunSink sink) throws java.sql.SQLException {
    int runs = sealed + slots;
    long[] order = new long[runs];
    for (int r = 0; r < sealed; r++) {
      order[r] = (long) sealedRuns[r * 6 + 1] << 32 | r;
    }
    for (int s = 0; s < slots; s++) {
      order[sealed + s] = (long) slotFirst[s] << 32 | (sealed + s);
    }
    Arrays.sort(order);
    for (long packed : order) {
      int r = (int) packed;
      if (r < sealed) {
        int at = r * 6;
        int slot = sealedRuns[at];
        sink.run(
            slotKey[slot] - 1,
            slotReason[slot],
            sealedRuns[at + 1],
            sealedRuns[at + 2],
            sealedRuns[at + 3],
            arena,
            sealedRuns[at + 4],
            sealedRuns[at + 5] - sealedRuns[at + 4]);
      } else {
        int s = r - sealed;
        sink.run(
            slotKey[s] - 1,
            slotReason[s],
            slotFirst[s],
            slotLast[s],
            slotCount[s],
            arena,
            slotStart[s],
            slotPosition[s] - slotStart[s]);
      }
    }
    clear();
  }

  private void clear() {
    for (int s = 0; s < slots; s++) {
      int key = slotKey[s];
      if (key < DIRECT_LIMIT && key < slotByKey.length) {
        slotByKey[key] = 0;
      }
    }
    slotByLargeKey.clear();
    slots = 0;
    sealed = 0;
    arenaSize = 0;
    size = 0;
  }

  private int find(int key) {
    if (key < DIRECT_LIMIT) {
      return -1; // beyond the array: not seen yet (open() grows it)
    }
    return slotByLargeKey.get(key) - 1;
  }

  /**
   * A slot for {@code key} and {@code reason} starting at {@code offset}: {@code full}'s, sealed
   * and restarted, or (full < 0) a new one chained before the key's others.
   */
  private int open(int full, int key, int reason, int offset) {
    int slot = full;
    if (slot >= 0) {
      seal(slot);
    } else {
      slot = newSlot(key, reason);
    }
    int start = allocate(FIRST_SEGMENT);
    slotStart[slot] = start;
    slotPosition[slot] = start;
    slotEnd[slot] = start + FIRST_SEGMENT;
    slotFirst[slot] = offset;
    slotLast[slot] = offset; // so the first delta is 0, as Pointers' format has it
    slotCount[slot] = 0;
    return slot;
  }

  private int newSlot(int key, int reason) {
    if (slots == slotKey.length) {
      int grown = slots * 2;
      slotKey = Arrays.copyOf(slotKey, grown);
      slotReason = Arrays.copyOf(slotReason, grown);
      slotOther = Arrays.copyOf(slotOther, grown);
      slotFirst = Arrays.copyOf(slotFirst, grown);
      slotLast = Arrays.copyOf(slotLast, grown);
      slotCount = Arrays.copyOf(slotCount, grown);
      slotStart = Arrays.copyOf(slotStart, grown);
      slotPosition = Arrays.copyOf(slotPosition, grown);
      slotEnd = Arrays.copyOf(slotEnd, grown);
    }
    int slot = slots++;
    slotKey[slot] = key;
    slotReason[slot] = (byte) reason;
    int head;
    if (key < DIRECT_LIMIT) {
      if (key >= slotByKey.length) {
        slotByKey =
            Arrays.copyOf(
                slotByKey, Math.min(DIRECT_LIMIT, Math.max(key + 1, slotByKey.length * 2)));
      }
      head = slotByKey[key];
      slotByKey[key] = slot + 1;
    } else {
      head = slotByLargeKey.get(key);
      slotByLargeKey.put(key, slot + 1);
    }
    slotOther[slot] = head;
    return slot;
  }

  private void seal(int slot) {
    if ((sealed + 1) * 6 > sealedRuns.length) {
      sealedRuns = Arrays.copyOf(sealedRuns, sealedRuns.length * 2);
    }
    int at = sealed++ * 6;
    sealedRuns[at] = slot;
    sealedRuns[at + 1] = slotFirst[slot];
    sealedRuns[at + 2] = slotLast[slot];
    sealedRuns[at + 3] = slotCount[slot];
    sealedRuns[at + 4] = slotStart[slot];
    sealedRuns[at + 5] = slotPosition[slot];
  }

  /** Moves a full segment to the arena's end at twice its size; returns the write position. */
  private int grow(int slot) {
    int start = slotStart[slot];
    int used = slotPosition[slot] - start;
    int capacity = Math.max(FIRST_SEGMENT, (slotEnd[slot] - start) * 2);
    int moved;
    if (slotEnd[slot] == arenaSize) {
      moved = start; // the last segment: grows in place
      allocate(capacity - (slotEnd[slot] - start));
    } else {
      moved = allocate(capacity);
      System.arraycopy(arena, start, arena, moved, used);
    }
    slotStart[slot] = moved;
    slotEnd[slot] = moved + capacity;
    slotPosition[slot] = moved + used;
    return moved + used;
  }

  private int allocate(int bytes) {
    if (arenaSize + bytes > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arenaSize + bytes, arena.length * 2));
    }
    int start = arenaSize;
    arenaSize += bytes;
    return start;
  }
}
