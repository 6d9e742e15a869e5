package io.followermaze.delivery;

import java.time.Duration;

/**
 * What a client may hold before it counts as too slow (see {@link OutboxBudget}).
 *
 * @param bufferBytes the backlog one client may hold before a stall counts against it
 * @param stallTimeout how long its writer may stay stuck in one write before it has stalled
 * @param budgetBytes the most all clients' backlogs may hold together; the largest goes first
 * @param policy what happens to a client that is too slow
 * @param socketBufferBytes the kernel's send buffer per client connection ({@code SO_SNDBUF}),
 *     which holds what was written but not yet read, outside every bound above; 0 leaves it to the
 *     system's autotuning (up to {@code net.ipv4.tcp_wmem}, 4 MiB on Linux by default)
 */
public record ClientLimits(
    long bufferBytes,
    Duration stallTimeout,
    long budgetBytes,
    SlowClientPolicy policy,
    int socketBufferBytes) {

  /**
   * The defaults: 1 MiB per client, a 10 s stall, {@linkplain #defaultBudget a quarter of the heap}
   * in all, disconnect, system buffers.
   */
  public static final ClientLimits DEFAULTS =
      new ClientLimits(
          1 << 20,
          Duration.ofSeconds(10),
          defaultBudget(Runtime.getRuntime().maxMemory()),
          SlowClientPolicy.DISCONNECT,
          0);

  /**
   * The budget when none is given: a quarter of the heap (32 MiB at the launcher's 128 MiB), which
   * leaves room for the dead-letter queue, the inbox and the garbage of handing letters on (with
   * half of a 128 MiB heap, 80 clients that never read ran it out of memory).
   */
  private static long defaultBudget(long maxHeapBytes) {
    return Math.max(1 << 20, maxHeapBytes / 4);
  }

  /** These limits with another per-client buffer and policy. */
  public ClientLimits withBuffer(long bytes, SlowClientPolicy slowClientPolicy) {
    return new ClientLimits(bytes, stallTimeout, budgetBytes, slowClientPolicy, socketBufferBytes);
  }

  /** These limits with another stall timeout and budget. */
  public ClientLimits withStall(Duration timeout, long budget) {
    return new ClientLimits(bufferBytes, timeout, budget, policy, socketBufferBytes);
  }

  /** These limits with another kernel send buffer per connection (0: the system's). */
  public ClientLimits withSocketBuffer(int bytes) {
    return new ClientLimits(bufferBytes, stallTimeout, budgetBytes, policy, bytes);
  }

  /** A fresh budget keeper for these limits. */
  public OutboxBudget newBudget() {
    return new OutboxBudget(bufferBytes, stallTimeout, budgetBytes);
  }
}
