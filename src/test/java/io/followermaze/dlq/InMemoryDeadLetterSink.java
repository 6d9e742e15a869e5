package io.followermaze.dlq;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** Keeps every dead letter in memory, in arrival order: the fake for tests. */
public final class InMemoryDeadLetterSink implements DeadLetterSink {

  private final List<DeadLetter> letters = new ArrayList<>();
  private final List<CompletableFuture<Void>> held = new ArrayList<>();
  private boolean holding;

  /** From now on, {@link #stored()} answers only once {@link #releaseStorage} is called. */
  public synchronized void holdStorage() {
    holding = true;
  }

  /** Completes every {@link #stored()} answer held so far, and answers at once again. */
  public void releaseStorage() {
    List<CompletableFuture<Void>> waiting;
    synchronized (this) {
      holding = false;
      waiting = List.copyOf(held);
      held.clear();
    }
    waiting.forEach(stored -> stored.complete(null));
  }

  /** Letters are "stored" on arrival, unless storage is held. */
  @Override
  public synchronized CompletableFuture<Void> stored() {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    if (holding) {
      held.add(stored);
    } else {
      stored.complete(null);
    }
    return stored;
  }

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
