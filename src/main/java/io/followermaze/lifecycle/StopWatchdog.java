package io.followermaze.lifecycle;

import ch.qos.logback.classic.LoggerContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last word on a stop: if it has not ended within its budget, whatever is stuck, this names the
 * threads it is stuck in and the dead letters that could not be stored, and halts the process with
 * a non-zero status ({@value #STUCK}, or {@value #LETTERS_LOST} when letters were lost).
 */
final class StopWatchdog {

  /** The status of a stop that did not end in time, nothing lost as far as is known. */
  static final int STUCK = 1;

  /** The status of a stop that could not store every dead letter. */
  static final int LETTERS_LOST = 3;

  private static final Logger log = LoggerFactory.getLogger(StopWatchdog.class);

  private StopWatchdog() {}

  /**
   * Starts watching the stop running on the calling thread; {@code notStored} says how many dead
   * letters are not (yet) stored. A daemon: a stop that ends in time halts before it wakes.
   */
  static void watch(Duration budget, LongSupplier notStored) {
    Thread stopping = Thread.currentThread();
    long deadline = System.nanoTime() + budget.toNanos();
    Thread.ofPlatform()
        .daemon()
        .name("stop-watchdog")
        .start(
            () -> {
              for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                try {
                  TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                  return;
                }
              }
              long lost = notStored.getAsLong();
              log.error(
                  "the stop did not end within {}: the stop is stuck at {}; other threads still busy: {};"
                      + " {} dead letters could not be stored; exiting with status {}",
                  budget,
                  where(stopping),
                  busy(stopping),
                  lost,
                  lost > 0 ? LETTERS_LOST : STUCK);
              ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
              Runtime.getRuntime().halt(lost > 0 ? LETTERS_LOST : STUCK);
            });
  }

  private static String where(Thread thread) {
    return Arrays.stream(thread.getStackTrace())
        .limit(6)
        .map(StackTraceElement::toString)
        .collect(Collectors.joining(" < "));
  }

  private static String busy(Thread stopping) {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> !e.getKey().isDaemon() && e.getKey() != stopping && e.getKey().isAlive())
        .filter(e -> e.getValue().length > 0)
        .map(StopWatchdog::describe)
        .collect(Collectors.joining("; "));
  }

  private static String describe(Map.Entry<Thread, StackTraceElement[]> thread) {
    return thread.getKey().getName() + " at " + thread.getValue()[0];
  }
}
