package io.followermaze.dlq;

import java.util.List;
import java.util.Optional;

/**
 * What a redriver needs of a store: parked letters in redrive order, marking them redriven, and the
 * redrive requests an operator recorded. The SQLite store is one; the redriver knows no store.
 */
public interface RedriveStore extends AutoCloseable {

  /**
   * Up to {@code limit} parked letters matching {@code filter} after {@code after} (user by user,
   * each user's in sequence order).
   */
  List<StoredDeadLetter> parked(DeadLetterFilter filter, ParkedCursor after, int limit);

  /** Marks the letters redriven at {@code nowMillis}: they are delivered, no longer parked. */
  void markRedriven(List<Long> ids, long nowMillis);

  /** The oldest pending redrive request, now marked running, if there is one. */
  Optional<RedriveRequest> takePendingRedrive();

  /** Records a redrive request's progress and status (running, done, interrupted, failed). */
  void recordRedrive(RedriveRequest progress, long nowMillis);

  /**
   * Makes requests a stopped server left running or interrupted pending again; returns how many.
   */
  long resumeInterruptedRedrives();

  @Override
  void close();
}
