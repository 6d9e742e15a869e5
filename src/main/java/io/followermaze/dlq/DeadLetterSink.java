package io.followermaze.dlq;

import java.util.concurrent.CompletableFuture;

/**
 * The port every dead letter goes through. Called from several threads; implementations are
 * thread-safe, never throw, and may block to apply back-pressure.
 */
public interface DeadLetterSink extends AutoCloseable {

  /** Takes a dead letter; it must not be lost once this returns. */
  void accept(DeadLetter letter);

  /**
   * Takes a block of letters (the engine's way: one block per command, bounded in bytes); none may
   * be lost once this returns. Default: decodes and accepts each.
   */
  default void acceptAll(DeadLetterBlock block) {
    block.letters().forEach(this::accept);
  }

  /**
   * Whether letters of {@code reason} must be handed over whole from now on. A count-only sink (the
   * log without a store, once past its log limit for the reason) says no; producers may then report
   * such letters with {@link #countOnly} instead of encoding what nobody keeps. Default: yes.
   */
  default boolean keeps(Reason reason) {
    return true;
  }

  /** Counts {@code letters} letters of {@code reason} that {@link #keeps} said are not kept. */
  default void countOnly(Reason reason, long letters) {
    throw new UnsupportedOperationException("this sink keeps every letter: hand them over");
  }

  /**
   * Completes once every letter this sink took before the call, from the calling thread, is stored
   * where it survives the process (exceptionally if some never will be): what lets a reader commit
   * its input position only after the letters that input raised. Default: at once (a sink that
   * stores nothing has nothing to wait for).
   */
  default CompletableFuture<Void> stored() {
    return CompletableFuture.completedFuture(null);
  }

  /** Flushes and releases the sink; later letters may be refused. Default: nothing to do. */
  @Override
  default void close() {}
}
