package io.followermaze.dlq;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where redriven letters go (the server's engine, which queues each for its recipient if that user
 * is connected now): the port both redrivers, SQLite's and Kafka's, deliver through.
 */
@FunctionalInterface
public interface RedriveTarget {
  /** Hands {@code letters} over; completes with the ids of those queued. */
  CompletableFuture<List<Long>> redeliver(List<ParkedLetter> letters);
}
