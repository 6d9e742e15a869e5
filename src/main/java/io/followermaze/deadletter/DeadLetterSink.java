package io.followermaze.deadletter;

/**
 * The port every dead letter goes through. Called from several threads; implementations are
 * thread-safe, never throw, and may block to apply back-pressure.
 */
public interface DeadLetterSink extends AutoCloseable {

  /** Takes a dead letter; it must not be lost once this returns. */
  void accept(DeadLetter letter);

  /**
   * Takes a block of letters (the engine's way: one block per source chunk); none may be lost once
   * this returns. Default: decodes and accepts each.
   */
  default void acceptAll(DeadLetterBlock block) {
    block.letters().forEach(this::accept);
  }

  /**
   * Whether {@link #acceptAll} is this sink's cheap path (it keeps blocks whole), so producers should
   * encode blocks; otherwise they hand over letter objects, which is cheaper when the sink only
   * counts them. Default: false.
   */
  default boolean prefersBlocks() {
    return false;
  }

  /** Flushes and releases the sink; later letters may be refused. Default: nothing to do. */
  @Override
  default void close() {}
}
