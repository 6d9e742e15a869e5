/**
 * {@code followermaze bench}: a load generator and verifier in the spirit of the original
 * challenge's tester. It connects the clients, proves each one is registered with a few warm-up
 * broadcasts, streams events shuffled within random batches, and checks that every client receives
 * exactly the lines a reference model of the routing rules predicts, in order and byte for byte.
 *
 * <p>The reference model ({@link io.followermaze.bench.Workload}) is written independently of the
 * server's router on purpose: the bench is a second opinion, not a copy.
 */
package io.followermaze.bench;
