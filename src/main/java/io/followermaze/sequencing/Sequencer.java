package io.followermaze.sequencing;

import io.followermaze.protocol.Event;

/**
 * Turns an out-of-order stream of events into the in-order stream 1, 2, 3, ...
 *
 * <p>Only events that arrive ahead of a missing number are held, in a ring indexed by sequence
 * number (O(1) per event) that grows on demand up to {@code maxWindow}. When the missing number
 * arrives, every contiguous successor is released at once.
 *
 * <p>Gap policy, trusting no single number: a missing number K is skipped once {@link
 * #gapDistance()} events are held behind it — the stream has moved on — where the distance is at
 * least {@code minGapDistance} and at least twice the largest reorder the source has shown (how
 * many events arrived ahead of a late one), capped by the window. One far-ahead number is one held
 * event, not a reason to skip; a number beyond the window from the next expected one is refused as
 * out of range; a stale number (already delivered or skipped) is a duplicate and does not count as
 * reorder. Callers also skip all gaps when the source disconnects, times out or the server stops
 * ({@link #skipAllGaps}). Skipped ranges, duplicates and out-of-range numbers go to the {@link
 * Listener}; the stream always moves on.
 *
 * <p>Not thread-safe by design: one thread (the engine) owns it.
 */
public final class Sequencer {

  /** Hears every outcome, in order. */
  public interface Listener {
    /** The next event in sequence order. */
    void inOrder(Event event);

    /** An event whose number was already buffered, delivered or skipped. */
    void duplicate(Event event, String why);

    /** An event whose number is a whole window or more ahead of the next expected one. */
    void outOfRange(Event event, String why);

    /**
     * Numbers {@code first..last} were given up on.
     *
     * @param heldBehind how many events were waiting behind the gap
     * @param waitedNanos how long the gap had been open
     */
    void gap(long first, long last, int heldBehind, long waitedNanos, GapTrigger trigger);
  }

  private static final int INITIAL_CAPACITY = 1024;

  private final Listener listener;
  private final long minGapDistance;
  private final int maxWindow;
  private Event[] ring = new Event[INITIAL_CAPACITY];
  private long next = 1;
  private int buffered;
  private long maxLateness;
  private long gapOpenedNanos;

  /**
   * A sequencer expecting number 1 first.
   *
   * @param minGapDistance the least distance past a missing number before it is skipped
   * @param maxWindow the most numbers the ring may span; a power of two above minGapDistance
   */
  public Sequencer(Listener listener, long minGapDistance, int maxWindow) {
    if (Integer.bitCount(maxWindow) != 1 || maxWindow < INITIAL_CAPACITY) {
      throw new IllegalArgumentException("maxWindow must be a power of two >= 1024: " + maxWindow);
    }
    if (minGapDistance < 1 || minGapDistance >= maxWindow) {
      throw new IllegalArgumentException(
          "minGapDistance must be in [1, maxWindow): " + minGapDistance);
    }
    this.listener = listener;
    this.minGapDistance = minGapDistance;
    this.maxWindow = maxWindow;
  }

  /**
   * Before the first event: numbers up to {@code last} were handled elsewhere (by this sequencer's
   * previous run), so the next expected number is {@code last + 1}; lower ones are duplicates.
   */
  public void resumeAfter(long last) {
    if (buffered > 0 || next != 1) {
      throw new IllegalStateException("resumeAfter must come before the first event");
    }
    next = last + 1;
  }

  /** Accepts one event; {@code nowNanos} is a monotonic timestamp. */
  public void offer(Event event, long nowNanos) {
    long sequence = event.sequence();
    if (sequence < next) {
      listener.duplicate(
          event, "sequence " + sequence + " already delivered or skipped (next is " + next + ")");
      return;
    }
    if (sequence - next >= maxWindow) {
      listener.outOfRange(
          event,
          "sequence "
              + sequence
              + " is "
              + (sequence - next)
              + " ahead of the next expected ("
              + next
              + "), beyond the reorder window of "
              + maxWindow);
      return;
    }
    if (sequence == next && buffered == 0) {
      next++;
      listener.inOrder(event);
      return;
    }
    if (sequence == next) {
      maxLateness = Math.max(maxLateness, buffered); // that many events arrived ahead of this one
    }
    int span = (int) (sequence - next + 1);
    if (span > ring.length) {
      grow(span);
    }
    int index = (int) (sequence & (ring.length - 1));
    if (ring[index] != null) {
      listener.duplicate(event, "sequence " + sequence + " already waiting for delivery");
      return;
    }
    ring[index] = event;
    if (buffered++ == 0) {
      gapOpenedNanos = nowNanos;
    }
    if (sequence == next) {
      drain(nowNanos);
    }
    skipGapsPastDistance(nowNanos);
  }

  /** Gives up on every missing number below the highest seen, releasing all that is held. */
  public void skipAllGaps(GapTrigger trigger, long nowNanos) {
    while (buffered > 0) {
      long first = firstHeld();
      skip(first - 1, trigger, nowNanos);
      drain(nowNanos);
    }
  }

  /** The next number to be released. */
  public long next() {
    return next;
  }

  /** How many events are held waiting for a missing number. */
  public int buffered() {
    return buffered;
  }

  /** The largest reorder seen: how many events arrived ahead of one that was late. */
  public long maxLateness() {
    return maxLateness;
  }

  /** The distance past a missing number at which it is skipped, as things stand. */
  public long gapDistance() {
    return Math.min(maxWindow - 1, Math.max(minGapDistance, 2 * maxLateness));
  }

  private void skipGapsPastDistance(long nowNanos) {
    long distance = gapDistance();
    while (buffered >= distance) {
      skip(firstHeld() - 1, GapTrigger.STREAM_MOVED_ON, nowNanos);
      drain(nowNanos);
    }
  }

  private void skip(long last, GapTrigger trigger, long nowNanos) {
    long waited = buffered > 0 ? nowNanos - gapOpenedNanos : 0;
    long first = next;
    next = last + 1;
    listener.gap(first, last, buffered, waited, trigger);
  }

  private void drain(long nowNanos) {
    int mask = ring.length - 1;
    while (buffered > 0) {
      int index = (int) (next & mask);
      Event event = ring[index];
      if (event == null) {
        gapOpenedNanos = nowNanos;
        return;
      }
      ring[index] = null;
      buffered--;
      next++;
      listener.inOrder(event);
    }
  }

  private long firstHeld() {
    int mask = ring.length - 1;
    for (long sequence = next; ; sequence++) {
      if (ring[(int) (sequence & mask)] != null) {
        return sequence;
      }
    }
  }

  private void grow(int span) {
    int capacity = Math.min(maxWindow, Integer.highestOneBit(span - 1) << 1);
    Event[] grown = new Event[capacity];
    int mask = capacity - 1;
    for (Event held : ring) {
      if (held != null) {
        grown[(int) (held.sequence() & mask)] = held;
      }
    }
    ring = grown;
  }
}
