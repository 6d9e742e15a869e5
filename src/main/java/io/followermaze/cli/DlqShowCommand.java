package io.followermaze.cli;

import io.followermaze.dlq.DeadLetterFormat;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.StoredDeadLetter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code followermaze dlq show ID}. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Shows one dead letter with every field.")
final class DlqShowCommand implements Callable<Integer> {

  @ParentCommand DlqCommand dlq;

  @Parameters(paramLabel = "ID", description = "The dead letter's id (from list).")
  long id;

  @Option(names = "--json", description = "As JSON.")
  boolean json;

  @Override
  public Integer call() {
    try (DlqOperations store = dlq.open()) {
      return show(store.get(id).orElse(null));
    }
  }

  private int show(StoredDeadLetter stored) {
    if (stored == null) {
      System.err.println("followermaze dlq show: no dead letter with id " + id);
      return 1;
    }
    System.out.println(json ? DeadLetterFormat.json(stored) : DeadLetterFormat.details(stored));
    return 0;
  }
}
