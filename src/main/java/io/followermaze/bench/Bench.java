package io.followermaze.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs one bench: connect clients, warm up, stream, verify, report. See {@link BenchOptions}.
 *
 * <p>Warm-up: the server gives no sign that a client's id has been read, so the bench sends
 * broadcasts one at a time until every client has received one; each client must then receive every
 * later event meant for it. The progress waits here are for pacing, not correctness: a client that
 * misses a line it was due is a failure whatever the timing.
 */
public final class Bench {

  private final BenchOptions options;
  private final PrintStream out;
  private final Verdicts verdicts = new Verdicts();
  private final SendTimes sendTimes = new SendTimes();
  private final ClientLedger[] ledgers;
  private final List<VerifyingClient> clients = new ArrayList<>();
  private ServerWatch server;
  private EventStream stream;
  private Workload workload;
  private UnreliableClients unreliable;
  private UnreliableOutcome unreliableOutcome = UnreliableOutcome.NONE;

  private Bench(BenchOptions options, PrintStream out) {
    this.options = options.validate();
    this.out = out;
    this.ledgers = new ClientLedger[options.clients() + 1];
    for (int client = 1; client <= options.clients(); client++) {
      ledgers[client] = new ClientLedger();
    }
  }

  /** Runs a bench against a server that is already listening, printing progress to {@code out}. */
  public static BenchResult run(BenchOptions options, PrintStream out) {
    return new Bench(options, out).run();
  }

  private BenchResult run() {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    server = ServerWatch.start(options);
    try (SocketChannel source = connectAll()) {
      long warmups = WarmUp.run(source, clients, verdicts, deadline);
      workload = new Workload(options, ledgers, verdicts);
      startUnreliable();
      stream =
          new EventStream(
              options, source, warmups, workload, sendTimes, verdicts, server::streamStarted);
      Thread generator = Thread.ofPlatform().name("bench-source").start(stream);
      awaitDelivery(deadline, warmups);
      server.delivered();
      verdicts.finish();
      generator.join(TimeUnit.SECONDS.toMillis(5));
      stopUnreliable();
    } catch (IOException e) {
      verdicts.fail("cannot talk to the server at " + options.host() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      verdicts.fail("interrupted");
    } finally {
      verdicts.finish();
      stopUnreliableQuietly();
      clients.forEach(VerifyingClient::close);
      server.stop();
    }
    settle();
    return result();
  }

  /** Waits for the server to go idle (its deferred work counts too) and reads its CPU then. */
  private void settle() {
    if (verdicts.failure() != null) {
      return;
    }
    try {
      server.settle(options.measure().settleMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startUnreliable() {
    if (options.unreliable().total() > 0) {
      unreliable =
          new UnreliableClients(
              new InetSocketAddress(options.host(), options.clientPort()),
              options.clients() + 1,
              options.unreliable(),
              options.seed(),
              verdicts);
      unreliable.start();
    }
  }

  /**
   * Hangs up the unreliable clients, lets them read what is left, and compares with what was meant
   * for them.
   */
  private void stopUnreliable() throws InterruptedException {
    if (unreliable != null) {
      boolean complete = generated() && verdicts.failure() == null;
      UnreliableOutcome outcome = unreliable.stopAndCompare(complete ? workload : null);
      unreliableOutcome = complete ? outcome : UnreliableOutcome.NONE;
      unreliable = null;
    }
  }

  private void stopUnreliableQuietly() {
    try {
      stopUnreliable();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private SocketChannel connectAll() throws IOException {
    for (int user = 1; user <= options.clients(); user++) {
      InetSocketAddress clientAddress =
          new InetSocketAddress(options.host(), options.clientPortFor(user));
      VerifyingClient client =
          VerifyingClient.connect(clientAddress, user, ledgers[user], sendTimes, verdicts);
      clients.add(client);
      Thread.ofVirtual().name("bench-client-" + user).start(client);
    }
    return SocketChannel.open(new InetSocketAddress(options.host(), options.eventPort()));
  }

  private void awaitDelivery(long deadline, long warmups) throws InterruptedException {
    long interval = options.progressInterval().toNanos();
    long nextProgress = System.nanoTime() + (interval > 0 ? interval : Long.MAX_VALUE / 2);
    while (verdicts.failure() == null) {
      if (generated() && allDelivered(warmups)) {
        return;
      }
      long now = System.nanoTime();
      if (now > deadline) {
        verdicts.fail(
            "timed out after " + options.timeout().toSeconds() + "s: " + firstShortfall(warmups));
        return;
      }
      if (now >= nextProgress) {
        progress(now);
        nextProgress = now + interval;
      }
      Thread.sleep(5);
    }
  }

  private boolean allDelivered(long warmups) {
    for (VerifyingClient client : clients) {
      if (client.lastWarmup() != warmups
          || client.received() != ledgers[client.user()].published()) {
        return false;
      }
    }
    return true;
  }

  private String firstShortfall(long warmups) {
    if (!generated()) {
      return "the source had sent only " + sent() + " events";
    }
    for (VerifyingClient client : clients) {
      ClientLedger ledger = ledgers[client.user()];
      if (client.lastWarmup() != warmups) {
        return "client " + client.user() + " did not receive warm-up broadcast " + warmups;
      }
      if (client.received() != ledger.published()) {
        return "client "
            + client.user()
            + " received "
            + client.received()
            + " of "
            + ledger.published()
            + " lines; missing sequence "
            + ledger.sequence(client.received());
      }
    }
    return "no client is short";
  }

  private void progress(long now) {
    long received = clients.stream().mapToLong(VerifyingClient::received).sum();
    double seconds = (now - startNanos()) / 1e9;
    long sentEvents = sent();
    out.printf(
        Locale.ROOT,
        "bench: %.0fs sent %d events (%.0f/s), clients received %d notifications%s%n",
        seconds,
        sentEvents,
        sentEvents / Math.max(seconds, 1e-9),
        received,
        server.now());
  }

  private boolean generated() {
    return stream != null && stream.done();
  }

  private long sent() {
    return stream == null ? 0 : stream.sent();
  }

  private long startNanos() {
    return stream == null ? 0 : stream.startNanos();
  }

  private BenchResult result() {
    Histogram latency = new Histogram(3_600_000_000L, 2);
    long startNanos = startNanos();
    long end = startNanos;
    long notifications = 0;
    for (VerifyingClient client : clients) {
      latency.add(client.latency());
      end = Math.max(end, client.lastReceivedNanos());
      notifications += client.received();
    }
    double seconds = startNanos == 0 ? 0 : (end - startNanos) / 1e9;
    return new BenchResult(
        verdicts.failure(),
        sent(),
        options.clients(),
        seconds,
        notifications,
        latency.getValueAtPercentile(50),
        latency.getValueAtPercentile(99),
        latency.getMaxValue(),
        server.resources(),
        workload == null ? 0 : workload.expectedOffline(),
        unreliableOutcome,
        server.cost());
  }
}
