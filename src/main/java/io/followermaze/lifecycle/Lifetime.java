package io.followermaze.lifecycle;

import ch.qos.logback.classic.LoggerContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one life of a node process ({@code serve}, {@code sequencer}, {@code gateway}): its {@link
 * Roles}, what it opened (closed in reverse order), and the one way out.
 *
 * <p>The process runs until SIGTERM or Ctrl-C, or until one of its roles dies. The stop then closes
 * everything opened, the last first, within the stop budget ({@link StopWatchdog} halts a stop that
 * does not end in time), and exits with:
 *
 * <ul>
 *   <li>{@value #ROLE_DIED} when a role died (EX_SOFTWARE),
 *   <li>{@value StopWatchdog#LETTERS_LOST} when dead letters could not be stored,
 *   <li>{@value #CLOSE_FAILED} when something failed to close,
 *   <li>0 after a graceful stop (not 128+signal: a stop asked for is a success).
 * </ul>
 */
public final class Lifetime {

  /** The exit status of a process that stopped because one of its roles died (EX_SOFTWARE). */
  public static final int ROLE_DIED = 70;

  /** The exit status of a stop that could not close everything. */
  public static final int CLOSE_FAILED = 1;

  /** What the stop keeps, inside its budget, for the steps after the parts have closed. */
  private static final Duration KEPT_FOR_THE_END = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(Lifetime.class);

  private final Roles roles = new Roles();
  private final ClosingStack opened = new ClosingStack();
  private final Duration stopBudget;
  private final List<LongSupplier> notStored = new CopyOnWriteArrayList<>();
  private final List<Runnable> stopListeners = new CopyOnWriteArrayList<>();
  private volatile long stopDeadline = Long.MAX_VALUE;
  private volatile boolean announceFailed;

  /** A process whose stop may take {@code stopBudget} in all before it is halted. */
  public Lifetime(Duration stopBudget) {
    this.stopBudget = stopBudget;
  }

  /** The process's one set of roles: every long-running loop joins it. */
  public Roles roles() {
    return roles;
  }

  /**
   * Remembers {@code part} (named for logs), to be closed at the stop before everything opened
   * earlier; null is ignored. Returns {@code part}.
   */
  public <T extends AutoCloseable> T open(String name, T part) {
    return opened.push(name, part);
  }

  /**
   * Counts {@code letters}, how many dead letters are not (yet) stored, into the exit status: a
   * stop that leaves some exits with {@value StopWatchdog#LETTERS_LOST}.
   */
  public void countNotStored(LongSupplier letters) {
    notStored.add(letters);
  }

  /**
   * Calls {@code listener} when the stop begins (a failed start included), before anything closes:
   * {@link #stopDeadline()} is set by then.
   */
  public void onStop(Runnable listener) {
    stopListeners.add(listener);
  }

  /**
   * When the stop's parts must have closed (System.nanoTime): the budget less what is kept for the
   * end; far in the future before the stop begins.
   */
  public long stopDeadline() {
    return stopDeadline;
  }

  /** What is left until {@link #stopDeadline()} (zero once it has passed). */
  public Duration leftToStop() {
    return Duration.ofNanos(Math.max(0, stopDeadline - System.nanoTime()));
  }

  /**
   * A start that failed halfway: closes what was opened, says why on stderr as {@code command:
   * message}, and returns the exit status ({@value #CLOSE_FAILED}).
   */
  public int failedStart(String command, RuntimeException cause) {
    beginStop();
    opened.close();
    roles.close();
    System.err.println(command + ": " + cause.getMessage());
    return CLOSE_FAILED;
  }

  /**
   * Runs until the process is told to stop or a role dies, then stops as the class says. Once the
   * stop path is in place, logs {@code ready} and calls {@code announce} (a ports file), whose
   * answer is closed first at the stop. Does not return: the stop halts the JVM with the exit
   * status.
   */
  public void runUntilStopped(String ready, Supplier<AutoCloseable> announce)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(() -> stop(stopped)));
    roles.onDeath(
        death ->
            // Not on the dying role's thread: the stop waits for every role to end.
            Thread.ofPlatform().name("role-died").start(() -> System.exit(ROLE_DIED)));
    log.info(ready);
    try {
      open("what announced the node", announce.get());
    } catch (RuntimeException e) {
      log.error("stopping: {}", e.getMessage());
      announceFailed = true;
      System.exit(CLOSE_FAILED);
    }
    stopped.await();
  }

  private void stop(CountDownLatch stopped) {
    beginStop();
    StopWatchdog.watch(stopBudget.minusMillis(500), this::notStored);
    opened.close();
    roles.close();
    long lost = notStored();
    if (lost > 0) {
      log.error("stopped with {} dead letters that could not be stored", lost);
    }
    int status =
        roles.death() != null
            ? ROLE_DIED
            : lost > 0
                ? StopWatchdog.LETTERS_LOST
                : opened.clean() && !announceFailed ? 0 : CLOSE_FAILED;
    log.info("bye (exit status {})", status);
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
    stopped.countDown();
    Runtime.getRuntime().halt(status);
  }

  private void beginStop() {
    stopDeadline = System.nanoTime() + stopBudget.minus(KEPT_FOR_THE_END).toNanos();
    stopListeners.forEach(Runnable::run);
  }

  private long notStored() {
    long sum = 0;
    for (LongSupplier letters : notStored) {
      sum += letters.getAsLong();
    }
    return sum;
  }
}
