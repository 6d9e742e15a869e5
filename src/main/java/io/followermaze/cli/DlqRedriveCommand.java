package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterFormat;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.RedriveRequest;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code followermaze dlq redrive}: asks the running server to deliver parked notifications again.
 */
@Command(
    name = "redrive",
    mixinStandardHelpOptions = true,
    description = {
      "Delivers parked (undeliverable) notifications again to their users that are connected now,",
      "oldest first, at up to --rate per second, marking each one redriven. The running server",
      "(same --data-dir) carries it out; letters of users still offline stay parked."
    })
final class DlqRedriveCommand implements Callable<Integer> {

  @ParentCommand DlqCommand dlq;

  @Mixin FilterOptions filters = new FilterOptions();

  @Option(
      names = "--rate",
      defaultValue = "1000",
      description = "Most notifications redriven per second.")
  int rate;

  @Option(names = "--dry-run", description = "Only show what matches; change nothing.")
  boolean dryRun;

  @Option(
      names = "--no-wait",
      description = "Record the request and return without waiting for the server.")
  boolean noWait;

  @Option(
      names = "--wait",
      defaultValue = "10m",
      description = "How long to wait for the server to finish.")
  Duration wait;

  @Option(
      names = "--resume",
      paramLabel = "ID",
      description =
          "Resume failed or interrupted request ID after its last confirmed letter (filters are ignored).")
  Long resume;

  @Override
  public Integer call() throws InterruptedException {
    if (rate < 1) {
      System.err.println("followermaze dlq redrive: --rate must be at least 1");
      return 2;
    }
    DeadLetterFilter filter = filters.filter();
    try (DlqOperations store = dlq.open()) {
      if (dryRun) {
        DlqOperations.DryRun preview = store.dryRun(filter, 20);
        System.out.printf(
            "dry run: %,d parked notifications match; those whose users are connected would be redriven%n",
            preview.matching());
        preview
            .sample()
            .forEach(letter -> System.out.println("  " + DeadLetterFormat.line(letter)));
        return 0;
      }
      long id;
      if (resume != null) {
        if (!store.resumeRedrive(resume)) {
          System.err.printf(
              "followermaze dlq redrive: request #%d is not failed or interrupted (or does not exist)%n",
              resume);
          return 1;
        }
        id = resume;
        System.out.printf("redrive #%d resumed; the running server carries it on%n", id);
      } else {
        id = store.requestRedrive(filter, rate);
        System.out.printf("redrive #%d requested; the running server carries it out%n", id);
      }
      if (noWait) {
        return 0;
      }
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline) {
        RedriveRequest request = store.redrive(id).orElseThrow();
        if (request.status().equals("done")) {
          System.out.printf(
              "redrive #%d done: %,d redriven, %,d left parked (user not connected, or its buffer full: lower --rate)%n",
              id, request.redriven(), request.skipped());
          return 0;
        }
        if (request.status().equals("failed")) {
          System.err.printf(
              "redrive #%d failed after %,d redriven: %s (resume with --resume %d)%n",
              id, request.redriven(), request.error(), id);
          return 1;
        }
        Thread.sleep(200);
      }
      System.err.printf(
          "redrive #%d not finished after %s: is the server running on %s?%n",
          id, wait, store.describe());
      return 1;
    }
  }
}
