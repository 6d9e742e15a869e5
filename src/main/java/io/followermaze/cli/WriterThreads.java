package io.followermaze.cli;

/**
 * The carrier threads the client writers (one virtual thread per client) run on. The JDK's default
 * is one per core; the engine already keeps a core busy with its own thread, so by default the
 * writers get the others, at least one (on a 2-core machine, one carrier: the writers then do not
 * compete with the engine for its core; docs/benchmarks.md has the figures). Set before the first
 * virtual thread starts; an explicit {@code -Djdk.virtualThreadScheduler.parallelism} wins.
 */
final class WriterThreads {

  static final String PROPERTY = "jdk.virtualThreadScheduler.parallelism";

  private WriterThreads() {}

  /** Sizes the writers' carriers ({@code requested}, or 0 for the default); returns the size. */
  static int apply(int requested) {
    String set = System.getProperty(PROPERTY);
    if (set != null) {
      return Integer.parseInt(set.trim());
    }
    int threads =
        requested > 0 ? requested : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    System.setProperty(PROPERTY, Integer.toString(threads));
    return threads;
  }
}
