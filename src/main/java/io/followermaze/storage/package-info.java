/**
 * Durable storage for dead letters: an embedded SQLite database (WAL mode) in the data directory,
 * written in large batched transactions by the collector and readable, while the server runs, by
 * the {@code followermaze dlq} tools or any SQLite client (see the {@code dead_letters} view).
 */
package io.followermaze.storage;
