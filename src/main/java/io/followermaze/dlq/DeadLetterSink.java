package io.followermaze.dlq;

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

  /** Flushes and releases the sink; later letters may be refused. Default: nothing to do. */
  @Override
  default void close() {}
}
