package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DlqOperations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code followermaze dlq purge}: deletes matching letters after confirmation. */
@Command(
    name = "purge",
    mixinStandardHelpOptions = true,
    description =
        "Deletes the dead letters that match the filters (all, without filters). Asks first unless --yes.")
final class DlqPurgeCommand implements Callable<Integer> {

  @ParentCommand DlqCommand dlq;

  @Mixin FilterOptions filters = new FilterOptions();

  @Option(names = "--yes", description = "Do not ask for confirmation.")
  boolean yes;

  @Override
  public Integer call() throws IOException {
    DeadLetterFilter filter = filters.filter();
    try (DlqOperations store = dlq.open()) {
      long matching = store.count(filter);
      if (matching == 0) {
        System.out.println("no dead letters match; nothing purged");
        return 0;
      }
      if (!yes) {
        System.out.printf(
            "purge %,d dead letters from %s? type 'yes' to confirm: ", matching, dlq.dataDir);
        System.out.flush();
        String answer =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (!"yes".equals(answer == null ? null : answer.trim())) {
          System.out.println("not confirmed; nothing purged (use --yes to skip the question)");
          return 1;
        }
      }
      System.out.printf("purged %,d dead letters%n", store.purge(filter));
      return 0;
    }
  }
}
