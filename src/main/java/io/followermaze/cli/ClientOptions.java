package io.followermaze.cli;

import io.followermaze.delivery.ClientLimits;
import io.followermaze.delivery.SlowClientPolicy;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code serve}'s options for user clients: admission, buffering and the slow-client policy. */
final class ClientOptions {

  @Option(
      names = "--client-buffer",
      defaultValue = "${env:FM_CLIENT_BUFFER:-1MiB}",
      converter = ByteSizeConverter.class,
      description =
          "Backlog one client may hold before a stall counts against it; a client that keeps reading keeps any backlog (env FM_CLIENT_BUFFER).")
  long clientBuffer;

  @Option(
      names = "--client-stall-timeout",
      defaultValue = "${env:FM_CLIENT_STALL_TIMEOUT:-10s}",
      description =
          "A client past --client-buffer whose writer has been stuck in one write this long is too slow (env FM_CLIENT_STALL_TIMEOUT).")
  Duration clientStallTimeout;

  @Option(
      names = "--outbox-budget",
      defaultValue = "${env:FM_OUTBOX_BUDGET:-0}",
      converter = ByteSizeConverter.class,
      description =
          "Most all clients' backlogs may hold together; beyond it the client with the largest is too slow; 0: a quarter of the heap (32 MiB at the launcher's 128 MiB) (env FM_OUTBOX_BUDGET).")
  long outboxBudget;

  @Option(
      names = "--client-socket-buffer",
      defaultValue = "${env:FM_CLIENT_SOCKET_BUFFER:-0}",
      converter = ByteSizeConverter.class,
      description =
          "Kernel send buffer per client connection (SO_SNDBUF); 0 leaves it to the system's autotuning (env FM_CLIENT_SOCKET_BUFFER).")
  long clientSocketBuffer;

  @Option(
      names = "--write-buffer",
      defaultValue = "${env:FM_WRITE_BUFFER:-8192}",
      description = "Bytes written to a client per system call at most (env FM_WRITE_BUFFER).")
  int writeBuffer;

  @Option(
      names = "--client-linger",
      defaultValue = "${env:FM_CLIENT_LINGER:-50ms}",
      description =
          "At most one write per client per this much time while its notifications keep coming (the first after a pause, a full write buffer, and everything once input pauses for a fifth of it, go at once): fewer, larger writes under load for up to that much latency; 0s writes after every batch (env FM_CLIENT_LINGER).")
  Duration clientLinger;

  @Option(
      names = "--slow-client-policy",
      defaultValue = "${env:FM_SLOW_CLIENT_POLICY:-disconnect}",
      description =
          "For a client that is too slow: disconnect (close it) or dead-letter (keep it, dead-letter what does not fit); dead letters either way (env FM_SLOW_CLIENT_POLICY).")
  SlowClientPolicy slowClientPolicy;

  @Option(
      names = "--handshake-timeout",
      defaultValue = "${env:FM_HANDSHAKE_TIMEOUT:-10s}",
      description = "Time a new client has to send its user id (env FM_HANDSHAKE_TIMEOUT).")
  Duration handshakeTimeout;

  @Option(
      names = "--max-clients",
      defaultValue = "${env:FM_MAX_CLIENTS:-10000}",
      description = "Client connections open at once; more are refused (env FM_MAX_CLIENTS).")
  int maxClients;

  @Option(
      names = "--writer-threads",
      defaultValue = "${env:FM_WRITER_THREADS:-0}",
      description =
          "Threads the client writers (a virtual thread per client) run on; 0: one per core but the engine's, at least 1 (env FM_WRITER_THREADS).")
  int writerThreads;

  /** The slow-client bounds these options describe. */
  ClientLimits limits() {
    return new ClientLimits(
        clientBuffer,
        clientStallTimeout,
        outboxBudget > 0 ? outboxBudget : ClientLimits.DEFAULTS.budgetBytes(),
        slowClientPolicy,
        (int) Math.min(Integer.MAX_VALUE, clientSocketBuffer));
  }
}
