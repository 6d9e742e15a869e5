package io.followermaze.bench;

import java.util.concurrent.atomic.AtomicReference;

/** Shared run state the verifiers read and report to: the first failure wins. */
final class Verdicts {

  private final AtomicReference<String> failure = new AtomicReference<>();
  private volatile long warmups;
  private volatile boolean finished;

  void fail(String why) {
    failure.compareAndSet(null, why);
  }

  String failure() {
    return failure.get();
  }

  long warmups() {
    return warmups;
  }

  void warmups(long count) {
    warmups = count;
  }

  boolean finished() {
    return finished || failure.get() != null;
  }

  void finish() {
    finished = true;
  }
}
