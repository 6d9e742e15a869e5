package io.followermaze.redrive;

import io.followermaze.dlq.ParkedCursor;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.dlq.RedriveRequest;
import io.followermaze.dlq.RedriveTarget;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out redrive requests recorded in the store: looks for one every {@code pollInterval},
 * then works through the matching parked letters in sequence order (their original order), in
 * slices of a tenth of a second at the request's rate, handing each slice to the engine (which
 * queues each letter for its recipient if connected) and marking what was queued as redriven.
 * Letters whose recipient is not connected stay parked for a later redrive.
 *
 * <p>It is a role ({@code lifecycle.Roles}): each cycle takes one pending request; with none, the
 * role idles for the poll interval ({@link #idleStrategy}). Stopping it interrupts a request in
 * progress, which ends {@code interrupted} and is resumed at the next start.
 */
public final class Redriver implements Agent {

  private static final Logger log = LoggerFactory.getLogger(Redriver.class);

  private final RedriveConnection parked;
  private final RedriveTarget target;
  private final long pollMillis;

  /** A redriver that looks for requests every {@code pollInterval} once started as a role. */
  public Redriver(RedriveConnection parked, RedriveTarget target, Duration pollInterval) {
    this.parked = parked;
    this.target = target;
    this.pollMillis = pollInterval.toMillis();
  }

  /** How the role waits between polls. */
  public IdleStrategy idleStrategy() {
    return new SleepingMillisIdleStrategy(pollMillis);
  }

  @Override
  public String roleName() {
    return "redriver";
  }

  @Override
  public void onStart() {
    long resumed = parked.resumeInterrupted();
    if (resumed > 0) {
      log.info("resuming {} redrive requests a previous run left unfinished", resumed);
    }
  }

  @Override
  public int doWork() throws InterruptedException {
    Optional<RedriveRequest> request = parked.takePendingRedrive();
    if (request.isEmpty()) {
      return 0;
    }
    carryOut(request.get());
    return 1;
  }

  /**
   * Works through one request from its cursor; it ends {@code done}, {@code interrupted} (the
   * server is stopping: resumed at the next start) or {@code failed} (with the error; never left
   * running).
   */
  private void carryOut(RedriveRequest request) throws InterruptedException {
    log.info(
        "redrive #{} started: {} at up to {}/s{}",
        request.id(),
        request.filter().encode(),
        request.ratePerSecond(),
        request.cursor().user() < 0 ? "" : " (resumed after user " + request.cursor().user() + ")");
    int slice = Math.max(1, request.ratePerSecond() / 10);
    long redriven = request.redriven();
    long skipped = request.skipped();
    ParkedCursor cursor = request.cursor();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        long sliceStart = System.nanoTime();
        List<ParkedLetter> letters = parked.find(request.filter(), cursor, slice);
        if (letters.isEmpty()) {
          parked.recordRedrive(request.progressed("done", redriven, skipped, cursor, null));
          log.info(
              "redrive #{} done: {} redriven, {} left parked (recipient not connected, or its buffer full)",
              request.id(),
              redriven,
              skipped);
          return;
        }
        List<Long> ids = List.of();
        try {
          ids = queued(target.redeliver(letters));
        } finally {
          parked.settle(letters, ids);
        }
        ParkedLetter last = letters.getLast();
        cursor = new ParkedCursor(last.recipient(), last.event().sequence(), last.id());
        redriven += ids.size();
        skipped += letters.size() - ids.size();
        parked.recordRedrive(request.progressed("running", redriven, skipped, cursor, null));
        long rest = TimeUnit.MILLISECONDS.toNanos(100) - (System.nanoTime() - sliceStart);
        if (rest > 0) {
          TimeUnit.NANOSECONDS.sleep(rest);
        }
      }
      parked.recordRedrive(request.progressed("interrupted", redriven, skipped, cursor, null));
      log.info(
          "redrive #{} interrupted after {} redriven; it resumes at the next start",
          request.id(),
          redriven);
    } catch (InterruptedException e) {
      parked.recordRedrive(request.progressed("interrupted", redriven, skipped, cursor, null));
      throw e;
    } catch (RuntimeException e) {
      parked.recordRedrive(
          request.progressed("failed", redriven, skipped, cursor, String.valueOf(e.getMessage())));
      log.error(
          "redrive #{} failed after {} redriven (resume it with 'dlq redrive --resume {}'): {}",
          request.id(),
          redriven,
          request.id(),
          e.getMessage());
    }
  }

  /**
   * What the engine queued; a stop while waiting (interrupt, or an engine that has stopped and
   * refuses the letters) interrupts the redrive, which resumes at the next start.
   */
  private static List<Long> queued(java.util.concurrent.CompletableFuture<List<Long>> answer)
      throws InterruptedException {
    try {
      return answer.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new InterruptedException("the server is stopping: " + e.getCause().getMessage());
    }
  }
}
