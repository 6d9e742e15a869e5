package io.followermaze.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running roles of one process, each an Agrona {@link Agent} run by an {@link AgentRunner}
 * on a platform thread named after the role: started and stopped here, their errors counted per
 * role.
 *
 * <p>An exception in a duty cycle is counted, logged (the first {@value #LOGGED_IN_FULL} of a role
 * in full), and the next cycle runs after a pause of {@value #PAUSE_AFTER_ERROR_MILLIS} ms (so a
 * lasting fault does not spin). A role that ends on its own (an {@link Error}, or a termination it
 * did not declare expected) has died: {@link #death()} says which and why, and every {@link
 * #onDeath} listener is told, so that the process reports itself not ready and exits non-zero
 * rather than serve half-alive. A role that finished its work ends with {@code new
 * AgentTerminationException(true)}.
 */
public final class Roles implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Roles.class);
  private static final int LOGGED_IN_FULL = 10;
  private static final long PAUSE_AFTER_ERROR_MILLIS = 100;
  private static final int STOP_PATIENCE_MILLIS = 500;

  /** A role that died, and the last error it raised (null if none). */
  public record Death(String role, Throwable cause) {
    /** For logs and health checks. */
    public String describe() {
      return "role '" + role + "' died" + (cause == null ? "" : ": " + cause);
    }
  }

  private final List<AgentRunner> runners = new CopyOnWriteArrayList<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final List<Consumer<Death>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<Death> death = new AtomicReference<>();
  private volatile boolean closing;

  /**
   * Starts {@code agent} on a new platform thread named after its role, idling with {@code idle}
   * when a cycle did no work; closing the answer stops that role alone.
   */
  public AutoCloseable start(Agent agent, IdleStrategy idle) {
    LongAdder count = errors.computeIfAbsent(agent.roleName(), role -> new LongAdder());
    Watched watched = new Watched(agent);
    AgentRunner runner =
        new AgentRunner(idle, error -> counted(agent.roleName(), count, error), null, watched);
    runners.add(runner);
    AgentRunner.startOnThread(
        runner,
        task ->
            Thread.ofPlatform()
                .name(agent.roleName())
                // What ends the thread has been counted, logged and reported as a death.
                .uncaughtExceptionHandler((thread, error) -> {})
                .unstarted(task));
    return () -> {
      watched.stopping = true;
      stop(runner);
    };
  }

  /**
   * Starts a role named {@code role} that runs {@code task} every {@code period} (after each run,
   * so runs never overlap); closing the answer stops it.
   */
  public AutoCloseable every(String role, java.time.Duration period, Runnable task) {
    return start(
        new Agent() {
          @Override
          public int doWork() {
            task.run();
            return 0;
          }

          @Override
          public String roleName() {
            return role;
          }
        },
        new org.agrona.concurrent.SleepingMillisIdleStrategy(period.toMillis()));
  }

  /**
   * A pool of {@code threads} daemon platform threads named {@code name-N} for short tasks (such as
   * requests) that come from outside; the caller shuts it down.
   */
  public java.util.concurrent.ExecutorService workers(String name, int threads) {
    java.util.concurrent.atomic.AtomicInteger serial =
        new java.util.concurrent.atomic.AtomicInteger();
    return java.util.concurrent.Executors.newFixedThreadPool(
        threads,
        task ->
            Thread.ofPlatform()
                .name(name + "-" + serial.incrementAndGet())
                .daemon()
                .unstarted(task));
  }

  /** Calls {@code listener} once when a role dies (at once if one already has). */
  public void onDeath(Consumer<Death> listener) {
    listeners.add(listener);
    Death dead = death.get();
    if (dead != null) {
      listener.accept(dead);
    }
  }

  /** The first role that died, or null while all live. */
  public Death death() {
    return death.get();
  }

  /** Errors counted so far, by role. */
  public Map<String, Long> errors() {
    Map<String, Long> counts = new java.util.TreeMap<>();
    errors.forEach((role, count) -> counts.put(role, count.sum()));
    return counts;
  }

  /** Stops every role, the last started first, waiting for each to end. */
  @Override
  public void close() {
    closing = true;
    List<AgentRunner> reversed = new ArrayList<>(runners);
    java.util.Collections.reverse(reversed);
    for (AgentRunner runner : reversed) {
      stop(runner);
    }
  }

  /**
   * Stops {@code runner}: its role finishes the cycle it is in; one still busy after {@value
   * #STOP_PATIENCE_MILLIS} ms (a redrive in progress) is interrupted.
   */
  private static void stop(AgentRunner runner) {
    runner.close(
        STOP_PATIENCE_MILLIS,
        thread -> log.debug("role thread {} still busy; interrupting it", thread.getName()));
  }

  private void counted(String role, LongAdder count, Throwable error) {
    if (error instanceof AgentTerminationException ended && ended.isExpected()) {
      return;
    }
    count.increment();
    long n = count.sum();
    if (n <= LOGGED_IN_FULL) {
      log.error("role '{}' failed in a cycle ({} so far); it carries on", role, n, error);
    } else if (Long.bitCount(n) == 1) {
      log.error("role '{}' has failed {} times; latest: {}", role, n, error.toString());
    }
  }

  private void died(String role, Throwable cause) {
    Death dead = new Death(role, cause);
    if (death.compareAndSet(null, dead)) {
      log.error("{}; the process is no longer ready and stops", dead.describe(), cause);
      listeners.forEach(listener -> listener.accept(dead));
    }
  }

  /** Tells the role's own end apart from a stop asked for. */
  private final class Watched implements Agent {
    private final Agent agent;
    private volatile boolean finished;
    private volatile boolean stopping;
    private boolean ended;
    private volatile Throwable last;

    Watched(Agent agent) {
      this.agent = agent;
    }

    @Override
    public void onStart() {
      agent.onStart();
    }

    @Override
    public int doWork() throws Exception {
      try {
        return agent.doWork();
      } catch (AgentTerminationException e) {
        if (e.isExpected()) {
          finished = true;
        } else {
          last = e;
        }
        throw e;
      } catch (Exception e) {
        last = e;
        TimeUnit.MILLISECONDS.sleep(PAUSE_AFTER_ERROR_MILLIS);
        throw e;
      } catch (Error e) {
        last = e; // the runner lets an Error end the thread without onClose
        ended();
        throw e;
      }
    }

    @Override
    public void onClose() {
      ended();
    }

    private void ended() {
      if (ended) {
        return;
      }
      ended = true;
      try {
        agent.onClose();
      } finally {
        if (!finished && !stopping && !closing) {
          died(agent.roleName(), last);
        }
      }
    }

    @Override
    public String roleName() {
      return agent.roleName();
    }
  }
}
