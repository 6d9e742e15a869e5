package io.followermaze.dlq.sqlite;

import java.util.Arrays;
import org.agrona.collections.Int2IntHashMap;

/**
 * The heart of an indexing pass: turns letters in event order, as {@code (recipient, reason, event
 * offset)} triples, into runs per recipient and reason, each already encoded in {@link Pointers}'
 * format (delta varints, the first one 0) — in one pass, without an object per recipient.
 *
 * <p>Each run is a <em>slot</em>: a few ints side by side in one array and a segment of one shared
 * byte arena that doubles (moving to the arena's end) when full, so a letter costs one slot lookup
 * and one to three byte writes. A run reaching {@link Pointers#MAX_PER_ROW} letters is sealed and
 * its slot starts a new segment. Ids below {@value #DIRECT_LIMIT} find their slot in an array,
 * larger ones in a hash map. The arrays are kept and reused from pass to pass.
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

  // One slot per (user, reason) seen this pass, its fields side by side (one cache line): the key,
  // the reason, the next slot of the same key with another reason (+1; 0: none), the first and last
  // offsets, the count, and the segment's start, write position and end.
  private static final int KEY = 0;
  private static final int REASON = 1;
  private static final int OTHER = 2;
  private static final int FIRST = 3;
  private static final int LAST = 4;
  private static final int COUNT = 5;
  private static final int START = 6;
  private static final int POSITION = 7;
  private static final int END = 8;
  private static final int FIELDS = 16;

  private int slots;
  private int[] slot = new int[FIELDS << 10];

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
    int key = user + 1; // user 2^31 - 1 wraps to a negative key, which the map holds
    int at = (key >= 0 && key < slotByKey.length ? slotByKey[key] : find(key)) - 1;
    while (at >= 0 && slot[at + REASON] != reasonCode) {
      at = slot[at + OTHER] - 1;
    }
    if (at < 0 || slot[at + COUNT] == Pointers.MAX_PER_ROW) {
      at = open(at, key, reasonCode, offset);
    }
    int position = slot[at + POSITION];
    if (position + MAX_VARINT > slot[at + END]) {
      position = grow(at);
    }
    int delta = offset - slot[at + LAST];
    while ((delta & ~0x7f) != 0) {
      arena[position++] = (byte) ((delta & 0x7f) | 0x80);
      delta >>>= 7;
    }
    arena[position++] = (byte) delta;
    slot[at + POSITION] = position;
    slot[at + LAST] = offset;
    slot[at + COUNT]++;
    size++;
  }

  /** Letters added since the last drain. */
  int size() {
    return size;
  }

  /** Runs open this pass (64 bytes each): what an indexing pass bounds its memory by. */
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
      order[sealed + s] = (long) slot[s * FIELDS + FIRST] << 32 | (sealed + s);
    }
    Arrays.sort(order);
    for (long packed : order) {
      int r = (int) packed;
      if (r < sealed) {
        int run = r * 6;
        int at = sealedRuns[run];
        int start = sealedRuns[run + 4];
        sink.run(
            slot[at + KEY] - 1,
            slot[at + REASON],
            sealedRuns[run + 1],
            sealedRuns[run + 2],
            sealedRuns[run + 3],
            arena,
            start,
            sealedRuns[run + 5] - start);
      } else {
        int at = (r - sealed) * FIELDS;
        sink.run(
            slot[at + KEY] - 1,
            slot[at + REASON],
            slot[at + FIRST],
            slot[at + LAST],
            slot[at + COUNT],
            arena,
            slot[at + START],
            slot[at + POSITION] - slot[at + START]);
      }
    }
    clear();
  }

  /** Starts over empty, dropping whatever was added (a pass that failed half-way leaves some). */
  void clear() {
    for (int at = 0; at < slots * FIELDS; at += FIELDS) {
      int key = slot[at + KEY];
      if (key >= 0 && key < slotByKey.length) {
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
    return direct(key) ? 0 : slotByLargeKey.get(key); // 0: not seen yet
  }

  /**
   * A slot for {@code key} and {@code reason} starting at {@code offset}: {@code full}'s, sealed
   * and restarted, or (full < 0) a new one chained before the key's others.
   */
  private int open(int full, int key, int reason, int offset) {
    int at = full;
    if (at >= 0) {
      seal(at);
    } else {
      at = newSlot(key, reason);
    }
    int start = allocate(FIRST_SEGMENT);
    slot[at + START] = start;
    slot[at + POSITION] = start;
    slot[at + END] = start + FIRST_SEGMENT;
    slot[at + FIRST] = offset;
    slot[at + LAST] = offset; // so the first delta is 0, as Pointers' format has it
    slot[at + COUNT] = 0;
    return at;
  }

  private int newSlot(int key, int reason) {
    if ((slots + 1) * FIELDS > slot.length) {
      slot = Arrays.copyOf(slot, slot.length * 2);
    }
    int at = slots++ * FIELDS;
    slot[at + KEY] = key;
    slot[at + REASON] = reason;
    int head;
    if (direct(key)) {
      if (key >= slotByKey.length) {
        slotByKey =
            Arrays.copyOf(
                slotByKey, Math.min(DIRECT_LIMIT, Math.max(key + 1, slotByKey.length * 2)));
      }
      head = slotByKey[key];
      slotByKey[key] = at + 1;
    } else {
      head = slotByLargeKey.get(key);
      slotByLargeKey.put(key, at + 1);
    }
    slot[at + OTHER] = head;
    return at;
  }

  private static boolean direct(int key) {
    return key >= 0 && key < DIRECT_LIMIT;
  }

  private void seal(int at) {
    if ((sealed + 1) * 6 > sealedRuns.length) {
      sealedRuns = Arrays.copyOf(sealedRuns, sealedRuns.length * 2);
    }
    int run = sealed++ * 6;
    sealedRuns[run] = at;
    sealedRuns[run + 1] = slot[at + FIRST];
    sealedRuns[run + 2] = slot[at + LAST];
    sealedRuns[run + 3] = slot[at + COUNT];
    sealedRuns[run + 4] = slot[at + START];
    sealedRuns[run + 5] = slot[at + POSITION];
  }

  /** Moves a full segment to the arena's end at twice its size; returns the write position. */
  private int grow(int at) {
    int start = slot[at + START];
    int end = slot[at + END];
    int used = slot[at + POSITION] - start;
    int capacity = (end - start) * 2;
    int moved;
    if (end == arenaSize) {
      moved = start; // the arena's last segment grows in place
      allocate(capacity - (end - start));
    } else {
      moved = allocate(capacity);
      System.arraycopy(arena, start, arena, moved, used);
    }
    slot[at + START] = moved;
    slot[at + END] = moved + capacity;
    slot[at + POSITION] = moved + used;
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
