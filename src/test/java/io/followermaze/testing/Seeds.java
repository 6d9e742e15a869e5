package io.followermaze.testing;

import java.util.stream.LongStream;

/**
 * Seeds for the randomised checkers: {@code -Dseed=N} replays seed N alone; otherwise {@code
 * -Dseeds=COUNT} seeds (the checker's default count) from {@code -Dseed.base=B} (0), so that CI
 * runs the same ones every time and a campaign can run others. A failure names its seed and the
 * command that replays it.
 */
public final class Seeds {

  private Seeds() {}

  /** The seeds a checker runs. */
  public static LongStream stream(String checker, int defaultCount) {
    Long one = Long.getLong("seed");
    if (one != null) {
      return LongStream.of(one);
    }
    long base = Long.getLong("seed.base", 0L);
    return LongStream.range(base, base + Integer.getInteger("seeds", defaultCount));
  }

  /** What a seeded run does. */
  public interface Body {
    void run() throws Exception;
  }

  /** Runs {@code body}; a failure is rethrown naming {@code seed} and how to replay it. */
  public static void replayable(long seed, Body body) throws Exception {
    try {
      body.run();
    } catch (Exception | AssertionError e) {
      throw new AssertionError(
          "seed " + seed + " failed (replay it alone with -Dseed=" + seed + "): " + e.getMessage(),
          e);
    }
  }
}
