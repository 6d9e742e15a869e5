package io.followermaze.cli;

import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.StoredDeadLetter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code followermaze dlq tail}: the newest letters, then (with -f) each new one as it arrives. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = "Shows the newest dead letters; with -f, keeps printing new ones (like tail -f).")
final class DlqTailCommand extends DlqListCommand {

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "10",
      description = "How many of the newest to show first.")
  int lines;

  @Override
  public void run() {
    try (DlqOperations store = dlq.open()) {
      List<StoredDeadLetter> newest = store.newest(filters.filter(), lines);
      afterId = newest.isEmpty() ? store.lastId() : newest.getFirst().id() - 1;
    }
    limit = follow ? 0 : lines;
    super.run();
  }
}
