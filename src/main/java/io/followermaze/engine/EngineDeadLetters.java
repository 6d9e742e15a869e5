package io.followermaze.engine;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.DeadLetterBlock;
import io.followermaze.dlq.DeadLetterBlockWriter;
import io.followermaze.dlq.DeadLetterSink;
import io.followermaze.dlq.Reason;
import io.followermaze.protocol.Event;
import io.followermaze.sequencing.GapTrigger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's dead letters. Those raised on the engine thread are encoded into one {@link
 * DeadLetterBlock} (no object per letter; an event's offline recipients share one entry) and handed
 * to the sink after each command, or as soon as the block reaches {@value #BLOCK_BYTES} bytes, so a
 * status update to a million offline followers holds a few bytes per follower in flight, never an
 * object. Letters from session writers go to the sink directly. A sink that keeps no offline
 * letters (the log alone, past its log limit) gets their count instead: nothing is encoded for
 * nobody.
 */
final class EngineDeadLetters {

  private static final Logger log = LoggerFactory.getLogger(EngineDeadLetters.class);

  /** A block is handed over once it reaches this size. */
  static final int BLOCK_BYTES = 256 * 1024;

  private final DeadLetterSink sink;
  private final DeadLetterBlockWriter block = new DeadLetterBlockWriter();
  private final LongAdder fromOtherThreads = new LongAdder();
  private long raised;
  private long refusals;

  /** Whether the sink keeps offline letters (asked at each hand-over); if not, they are counted. */
  private boolean offlineKept;

  private long offlineCounted;

  EngineDeadLetters(DeadLetterSink sink) {
    this.sink = sink;
    this.offlineKept = sink.keeps(Reason.USER_NOT_CONNECTED);
  }

  /** Engine thread: {@code event} did not reach offline {@code user} (the common case). */
  void offline(Event event, int user, String origin, long millis) {
    raised++;
    if (!offlineKept) {
      offlineCounted++; // a count-only sink past its log limit: nothing to encode
      return;
    }
    block.undeliverable(Reason.USER_NOT_CONNECTED, event, user, origin, millis);
    handOverIfFull();
  }

  /** Engine thread: any other letter. */
  void add(DeadLetter letter) {
    raised++;
    block.add(letter);
    handOverIfFull();
  }

  /** Engine thread: {@code event} refused for {@code reason} (duplicate, out of range, failed). */
  void rejected(Reason reason, Event event, String origin, long millis, String why) {
    add(DeadLetter.rejected(reason, event, origin, millis, why));
  }

  /** Engine thread: the numbers {@code first..last} were given up on. */
  void gap(
      long first,
      long last,
      int heldBehind,
      long waitedNanos,
      GapTrigger trigger,
      String origin,
      long millis) {
    String range = first == last ? "sequence " + first : "sequences " + first + ".." + last;
    String error =
        range
            + " skipped ("
            + trigger.name().toLowerCase(java.util.Locale.ROOT)
            + "); "
            + heldBehind
            + " events were held behind the gap for "
            + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(waitedNanos)
            + " ms";
    add(DeadLetter.gap(first, origin, millis, error));
  }

  /** Another thread's letter: straight to the sink. */
  void fromOtherThread(DeadLetter letter) {
    fromOtherThreads.increment();
    sink.accept(letter);
  }

  /** Engine thread: hands what was raised since the last call to the sink (waits while full). */
  void handOver() {
    if (offlineCounted > 0) {
      try {
        sink.countOnly(Reason.USER_NOT_CONNECTED, offlineCounted);
      } catch (RuntimeException e) {
        refusals++;
        log.error("the dead-letter sink refused a count of {} letters", offlineCounted, e);
      }
      offlineCounted = 0;
    }
    if (block.size() > 0) {
      DeadLetterBlock taken = block.take();
      try {
        sink.acceptAll(taken);
      } catch (RuntimeException e) {
        refusals++;
        log.error("the dead-letter sink refused {} letters", taken.size(), e);
      }
    }
    offlineKept = sink.keeps(Reason.USER_NOT_CONNECTED);
  }

  /** Hands over what is pending, then: completes once everything handed over so far is stored. */
  java.util.concurrent.CompletableFuture<Void> stored() {
    handOver();
    return sink.stored();
  }

  private void handOverIfFull() {
    if (block.bytes() >= BLOCK_BYTES) {
      handOver();
    }
  }

  /** Letters raised so far, by the engine and the writers. */
  long raised() {
    return raised + fromOtherThreads.sum();
  }

  /** Blocks the sink refused (a bug, or a sink closed too early). */
  long refusals() {
    return refusals;
  }
}
