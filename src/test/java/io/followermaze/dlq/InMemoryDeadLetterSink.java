package io.followermaze.dlq;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every dead letter in memory, in arrival order: the fake for tests. */
public final class InMemoryDeadLetterSink implements DeadLetterSink {

  private final List<DeadLetter> letters = new ArrayList<>();

  @Override
  public synchronized void accept(DeadLetter letter) {
    letters.add(letter);
  }

  /** A snapshot of all letters so far. */
  public synchronized List<DeadLetter> letters() {
    return List.copyOf(letters);
  }

  /** A snapshot of the letters with this reason. */
  public List<DeadLetter> withReason(Reason reason) {
    return matching(letter -> letter.reason() == reason);
  }

  /** A snapshot of the letters that match. */
  public synchronized List<DeadLetter> matching(Predicate<DeadLetter> filter) {
    return letters.stream().filter(filter).toList();
  }
}
