package io.followermaze.bench;

import java.time.Duration;

/**
 * What a bench run does.
 *
 * @param host the server's address
 * @param eventPort the server's event-source port
 * @param clientPort the server's user-client port
 * @param events how many events to send, warm-up broadcasts included
 * @param clients how many user clients to connect (users 1..clients)
 * @param users how many users the events mention (users 1..users)
 * @param maxBatch the largest batch the source shuffles before sending
 * @param seed the random seed; the same seed gives the same events
 * @param timeout how long the whole run may take
 * @param progressInterval how often to print a progress line (0: never)
 */
public record BenchOptions(
    String host,
    int eventPort,
    int clientPort,
    long events,
    int clients,
    int users,
    int maxBatch,
    long seed,
    Duration timeout,
    Duration progressInterval) {

  /** Checks the options; throws naming the first bad one. */
  public BenchOptions validate() {
    if (events < 10) {
      throw new IllegalArgumentException("--events must be at least 10, was " + events);
    }
    if (clients < 1) {
      throw new IllegalArgumentException("--clients must be at least 1, was " + clients);
    }
    if (users < clients || users < 2) {
      throw new IllegalArgumentException("--users must be at least --clients and 2, was " + users);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("--max-batch must be at least 1, was " + maxBatch);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("--timeout must be positive");
    }
    return this;
  }
}
