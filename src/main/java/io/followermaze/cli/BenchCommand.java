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

  @Option(names = "--host", defaultValue = "${env:FM_BENCH_HOST:-127.0.0.1}", description = "Server address (env FM_BENCH_HOST).")
  String host;

  @Mixin PortOptions ports = new PortOptions();

  @Option(names = "--events", defaultValue = "10000000", description = "Events to send.")
  long events;

  @Option(names = "--clients", defaultValue = "100", description = "User clients to connect.")
  int clients;

  @Option(names = "--users", description = "Users the events mention (default: 10 x clients).")
  Integer users;

  @Option(names = "--max-batch", defaultValue = "100", description = "Largest batch shuffled before sending.")
  int maxBatch;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same seed sends the same events.")
  long seed;

  @Option(names = "--timeout", defaultValue = "10m", description = "Give up and FAIL after this long.")
  Duration timeout;

  @Option(names = "--progress", defaultValue = "5s", description = "Progress line interval; 0s for none.")
  Duration progress;

  @Override
  public Integer call() {
    BenchOptions options;
    try {
      options = new BenchOptions(host, ports.eventPort, ports.clientPort, events, clients, users == null ? clients * 10 : users,
          maxBatch, seed, timeout, progress).validate();
    } catch (IllegalArgumentException e) {
      System.err.println("followermaze bench: " + e.getMessage());
      return 2;
    }
    System.out.printf("bench: %d events, %d clients, %d users, batches up to %d, seed %d -> %s:%d/%d%n",
        options.events(), options.clients(), options.users(), options.maxBatch(), options.seed(),
        options.host(), options.eventPort(), options.clientPort());
    BenchResult result = Bench.run(options, System.out);
    System.out.println(result.summary());
    return result.passed() ? 0 : 1;
  }
}
