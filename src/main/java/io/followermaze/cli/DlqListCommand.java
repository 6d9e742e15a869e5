package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterFilter;
import io.followermaze.dlq.DeadLetterFormat;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.StoredDeadLetter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code followermaze dlq list}: matching letters, oldest first; {@code --follow} keeps watching.
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists dead letters, oldest first, with filters.")
class DlqListCommand implements Runnable {

  private static final int PAGE = 1000;

  @ParentCommand DlqCommand dlq;

  @Mixin FilterOptions filters = new FilterOptions();

  @Option(names = "--json", description = "One JSON object per line (payload also in base64).")
  boolean json;

  @Option(
      names = "--limit",
      defaultValue = "100",
      description = "Most letters to print (0: no limit).")
  long limit;

  @Option(
      names = "--after-id",
      defaultValue = "0",
      description = "Start after this id (for paging).")
  long afterId;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new letters as they are committed (Ctrl-C stops).")
  boolean follow;

  @Option(
      names = "--poll",
      defaultValue = "500ms",
      description = "How often --follow looks for new letters.")
  Duration poll;

  @Override
  public void run() {
    DeadLetterFilter filter = filters.filter();
    long printed = 0;
    long cursor = afterId;
    try (DlqOperations store = dlq.open()) {
      while (true) {
        int page = (int) (limit > 0 && !follow ? Math.min(PAGE, limit - printed) : PAGE);
        List<StoredDeadLetter> letters =
            page > 0 ? store.list(filter, cursor, page).letters() : List.of();
        for (StoredDeadLetter letter : letters) {
          System.out.println(json ? DeadLetterFormat.json(letter) : DeadLetterFormat.line(letter));
          cursor = letter.id();
        }
        printed += letters.size();
        System.out.flush();
        if (!follow && (letters.size() < page || (limit > 0 && printed >= limit))) {
          return;
        }
        if (follow && letters.isEmpty()) {
          sleep();
        }
      }
    }
  }

  private void sleep() {
    try {
      Thread.sleep(poll.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
