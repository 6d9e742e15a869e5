package io.followermaze.dlq;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs dead letters and counts them by reason, optionally in front of a durable sink. To keep a
 * flood (millions of offline recipients) from drowning the log, only the first {@code
 * detailedPerReason} of each reason are logged whole; the rest are counted and summarised by {@link
 * #logSummary()} and on {@link #close()}.
 */
public final class LoggingDeadLetterSink implements DeadLetterSink {

  private static final Logger log = LoggerFactory.getLogger("deadletters");

  private static final Reason[] REASONS = Reason.values();

  private final AtomicLongArray counts = new AtomicLongArray(Reason.values().length);
  private final long detailedPerReason;
  private final DeadLetterSink next;

  /** Logs the first {@code detailedPerReason} letters of each reason in full; keeps nothing. */
  public LoggingDeadLetterSink(long detailedPerReason) {
    this(detailedPerReason, null);
  }

  /**
   * Logs as above, then hands every letter to {@code next} (the durable collector), if not null.
   */
  public LoggingDeadLetterSink(long detailedPerReason, DeadLetterSink next) {
    this.detailedPerReason = detailedPerReason;
    this.next = next;
  }

  @Override
  public void accept(DeadLetter letter) {
    logAndCount(letter);
    if (next != null) {
      next.accept(letter);
    }
  }

  private void logAndCount(DeadLetter letter) {
    long count = counts.incrementAndGet(letter.reason().ordinal());
    if (count <= detailedPerReason) {
      log.warn(
          "dead letter {} seq={} recipient={} origin={} error=\"{}\" payload=\"{}\"{}",
          letter.reason(),
          letter.sequence(),
          letter.recipient(),
          letter.origin(),
          letter.error(),
          letter.payloadText(),
          count == detailedPerReason
              ? " (further " + letter.reason() + " letters are not logged)"
              : "");
    }
  }

  /**
   * Counts the block by reason without decoding it, decodes only to log letters of a reason still
   * under its limit, and hands the block on whole.
   */
  @Override
  public void acceptAll(DeadLetterBlock block) {
    boolean detailed = false;
    for (Reason reason : REASONS) {
      int inBlock = block.count(reason);
      if (inBlock > 0 && counts.get(reason.ordinal()) < detailedPerReason) {
        detailed = true;
      }
    }
    if (detailed) {
      block.letters().forEach(this::logAndCount);
    } else {
      for (Reason reason : REASONS) {
        int inBlock = block.count(reason);
        if (inBlock > 0) {
          counts.addAndGet(reason.ordinal(), inBlock);
        }
      }
    }
    if (next != null) {
      next.acceptAll(block);
    }
  }

  /** Keeps letters for a durable sink behind it, else only those it will still log in full. */
  @Override
  public boolean keeps(Reason reason) {
    return next != null || counts.get(reason.ordinal()) < detailedPerReason;
  }

  @Override
  public void countOnly(Reason reason, long letters) {
    if (next != null) {
      throw new UnsupportedOperationException("letters for the store must be handed over");
    }
    counts.addAndGet(reason.ordinal(), letters);
  }

  /** How many letters of {@code reason} so far. */
  public long count(Reason reason) {
    return counts.get(reason.ordinal());
  }

  /** How many letters in all so far. */
  public long total() {
    long total = 0;
    for (int i = 0; i < counts.length(); i++) {
      total += counts.get(i);
    }
    return total;
  }

  /** Counts so far, by reason (reasons with none left out). */
  public Map<Reason, Long> counts() {
    Map<Reason, Long> result = new EnumMap<>(Reason.class);
    for (Reason reason : Reason.values()) {
      long count = counts.get(reason.ordinal());
      if (count > 0) {
        result.put(reason, count);
      }
    }
    return result;
  }

  /** Logs the counts by reason, if there are any. */
  public void logSummary() {
    Map<Reason, Long> counts = counts();
    if (!counts.isEmpty()) {
      log.info("dead letters so far: {}", counts);
    }
  }

  @Override
  public java.util.concurrent.CompletableFuture<Void> stored() {
    return next == null ? DeadLetterSink.super.stored() : next.stored();
  }

  @Override
  public void close() {
    logSummary();
    if (next != null) {
      next.close();
    }
  }
}
