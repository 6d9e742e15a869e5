package io.followermaze.dlq;

import java.util.List;

/**
 * Where the collector commits dead letters. One thread appends; an append either commits the whole
 * batch or throws, in which case nothing of it was committed and the collector retries it.
 */
public interface DeadLetterStore extends AutoCloseable {

  /** Commits {@code blocks}, in order, in one transaction. */
  void append(List<DeadLetterBlock> blocks) throws Exception;

  /**
   * Deferred work (such as indexing what {@link #append} committed), called by the appending thread
   * when it has nothing else to do; {@code force} (at close) asks to do it even where the store
   * would rather wait for more. Returns whether it did something (more may be left). Default:
   * nothing.
   */
  default boolean runDeferredWork(boolean force) {
    return false;
  }

  /** Housekeeping (retention), called now and then by the appending thread. Default: none. */
  default void maintain(long nowMillis) {}

  @Override
  void close();
}
