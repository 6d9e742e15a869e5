package io.followermaze.cli;

import io.followermaze.bench.Bench;
import io.followermaze.bench.BenchOptions;
import io.followermaze.bench.BenchResult;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code followermaze bench}: load generator and verifier against a running server. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Load generator and verifier: streams events to a running server and checks every client.",
      "",
      "Each client must receive exactly the lines the routing rules predict, in order and byte for byte.",
      "Prints one summary line: PASS/FAIL, events/s, notifications/s, delivery latency and the",
      "server's peak RSS. Exit status 0 only on PASS. Each run needs a freshly started server",
      "(the sequence starts at 1)."
    },
    showDefaultValues = true)
final class BenchCommand implements Callable<Integer> {

  @Option(
      names = "--host",
      defaultValue = "${env:FM_BENCH_HOST:-127.0.0.1}",
      description = "Server address (env FM_BENCH_HOST).")
  String host;

  @Mixin PortOptions ports = new PortOptions();

  @Option(names = "--events", defaultValue = "10000000", description = "Events to send.")
  long events;

  @Option(names = "--clients", defaultValue = "100", description = "User clients to connect.")
  int clients;

  @Option(names = "--users", description = "Users the events mention (default: 10 x clients).")
  Integer users;

  @Option(
      names = "--max-batch",
      defaultValue = "100",
      description = "Largest batch shuffled before sending.")
  int maxBatch;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed; the same seed sends the same events.")
  long seed;

  @Option(
      names = "--timeout",
      defaultValue = "10m",
      description = "Give up and FAIL after this long (with --duration: at least that plus 10m).")
  Duration timeout;

  @Option(
      names = "--progress",
      defaultValue = "5s",
      description = "Progress line interval; 0s for none.")
  Duration progress;

  @Option(
      names = "--churn-clients",
      defaultValue = "0",
      description =
          "Extra users whose client connects, stays 5-100 ms, hangs up and reconnects, over and over;"
              + " what they miss must be dead letters (hundreds of connections per second with 50).")
  int churners;

  @Option(
      names = "--stuck-clients",
      defaultValue = "0",
      description = "Extra users whose client never reads.")
  int stuck;

  @Option(
      names = "--slow-clients",
      defaultValue = "0",
      description = "Extra users whose client reads one byte a second.")
  int slow;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Most events per second to send; 0: as fast as the server takes them.")
  long rate;

  @Option(
      names = "--duration",
      description = "Send for this long (e.g. 30m) instead of --events; for soak runs.")
  Duration duration;

  @Option(
      names = "--gateway-ports",
      split = ",",
      description =
          "Cluster mode: client ports of the gateways (comma-separated); user u connects to the (u mod n)-th.")
  java.util.List<Integer> gatewayPorts = java.util.List.of();

  @Option(
      names = "--graph",
      defaultValue = "sparse",
      description =
          "Workload: sparse (follows come and go, ~0.5 offline notifications per event) or dense (follows"
              + " accumulate, ~24 offline notifications per event at 1,000 users).")
  String graph;

  @Option(
      names = "--server-pid",
      defaultValue = "-1",
      description =
          "The server process to measure (CPU, RSS); default: the one listening on the event port.")
  long serverPid;

  @Option(
      names = "--store",
      description = "A store file (e.g. data/deadletters.db) whose size per event to report.")
  java.nio.file.Path store;

  @Option(
      names = "--settle",
      defaultValue = "60s",
      description =
          "After delivery, wait up to this long for the server to go idle and report its CPU again (0s: no).")
  Duration settle;

  @Override
  public Integer call() {
    BenchOptions options;
    try {
      BenchOptions.Unreliable unreliable = new BenchOptions.Unreliable(churners, stuck, slow);
      if (duration != null && timeout.compareTo(duration.plusMinutes(5)) < 0) {
        timeout = duration.plusMinutes(10); // A timed run needs its own length plus time to finish.
      }
      options =
          new BenchOptions(
                  host,
                  ports.eventPort,
                  ports.clientPort,
                  events,
                  clients,
                  users == null ? Math.max(clients * 10, clients + unreliable.total()) : users,
                  maxBatch,
                  seed,
                  timeout,
                  progress,
                  unreliable,
                  new BenchOptions.Pace(rate, duration),
                  gatewayPorts,
                  new BenchOptions.Measure(graph(), serverPid, store, settle.toMillis()))
              .validate();
    } catch (IllegalArgumentException e) {
      System.err.println("followermaze bench: " + e.getMessage());
      return 2;
    }
    System.out.printf(
        "bench: %s, %s graph, %d clients, %d users, batches up to %d, seed %d -> %s:%d/%d%n",
        duration == null
            ? options.events() + " events"
            : "for " + duration + (rate > 0 ? " at " + rate + " events/s" : ""),
        graph,
        options.clients(),
        options.users(),
        options.maxBatch(),
        options.seed(),
        options.host(),
        options.eventPort(),
        options.clientPort());
    BenchResult result = Bench.run(options, System.out);
    System.out.println(result.summary());
    return result.passed() ? 0 : 1;
  }

  private BenchOptions.Graph graph() {
    return switch (graph) {
      case "sparse" -> BenchOptions.Graph.SPARSE;
      case "dense" -> BenchOptions.Graph.DENSE;
      default ->
          throw new IllegalArgumentException(
              "--graph must be sparse or dense, was '" + graph + "'");
    };
  }
}
