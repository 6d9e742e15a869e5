package io.followermaze.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;
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

  private static final long MAX_WARMUPS = 300;
  private static final long WARMUPS_BEFORE_GIVING_UP_ON_NONE = 50;
  private static final long WARMUP_ROUND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final BenchOptions options;
  private final PrintStream out;
  private final Verdicts verdicts = new Verdicts();
  private final SendTimes sendTimes = new SendTimes();
  private final ClientLedger[] ledgers;
  private final List<VerifyingClient> clients = new ArrayList<>();
  private final ResourceTrend resources = new ResourceTrend();
  private volatile long serverPid = -1;
  private double cpuAtStart = -1;
  private double cpuAtDelivery = -1;
  private double cpuSettled = -1;
  private volatile boolean generated;
  private volatile long startNanos;
  private volatile long sentEvents;
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
    Thread sampler = startRssSampler();
    try (SocketChannel source = connectAll()) {
      long warmups = warmUp(source, deadline);
      workload = new Workload(options, ledgers, verdicts);
      startUnreliable();
      Thread generator =
          Thread.ofPlatform().name("bench-source").start(() -> stream(source, warmups));
      awaitDelivery(deadline, warmups);
      cpuAtDelivery = ServerCpu.seconds(serverPid);
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
      sampler.interrupt();
    }
    settle();
    return result();
  }

  /** Waits for the server to go idle (its deferred work counts too) and reads its CPU then. */
  private void settle() {
    if (cpuAtDelivery < 0 || options.measure().settleMillis() <= 0 || verdicts.failure() != null) {
      return;
    }
    try {
      cpuSettled = ServerCpu.settled(serverPid, options.measure().settleMillis());
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
      boolean complete = generated && verdicts.failure() == null;
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

  private long warmUp(SocketChannel source, long deadline)
      throws IOException, InterruptedException {
    for (long warmup = 1; warmup <= MAX_WARMUPS && System.nanoTime() < deadline; warmup++) {
      verdicts.warmups(warmup);
      source.write(ByteBuffer.wrap((warmup + "|B\n").getBytes(StandardCharsets.US_ASCII)));
      long roundEnd = System.nanoTime() + WARMUP_ROUND_NANOS;
      while (System.nanoTime() < roundEnd && !allRegistered() && verdicts.failure() == null) {
        Thread.sleep(2);
      }
      if (allRegistered()) {
        return warmup;
      }
      if (warmup >= WARMUPS_BEFORE_GIVING_UP_ON_NONE
          && clients.stream().noneMatch(VerifyingClient::registered)) {
        break;
      }
    }
    long missing = clients.stream().filter(c -> !c.registered()).count();
    verdicts.fail(
        missing
            + " clients never received a warm-up broadcast: either the server did not register them,"
            + " or it has seen sequence number 1 before (each bench run needs a freshly started server)");
    return MAX_WARMUPS;
  }

  private boolean allRegistered() {
    for (VerifyingClient client : clients) {
      if (!client.registered()) {
        return false;
      }
    }
    return true;
  }

  private void stream(SocketChannel source, long warmups) {
    SplittableRandom shuffle = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
    ByteBuffer outBuffer = ByteBuffer.allocateDirect(32 * 1024);
    byte[] batch = new byte[options.maxBatch() * 48];
    int[] starts = new int[options.maxBatch() + 1];
    int[] order = new int[options.maxBatch()];
    cpuAtStart = ServerCpu.seconds(serverPid);
    startNanos = System.nanoTime();
    try {
      long rate = options.pace().eventsPerSecond();
      long endNanos =
          options.pace().duration() == null
              ? Long.MAX_VALUE
              : startNanos + options.pace().duration().toNanos();
      long lastSequence = options.pace().duration() == null ? options.events() : Long.MAX_VALUE;
      for (long first = warmups + 1; first <= lastSequence && !verdicts.finished(); ) {
        if (rate > 0 && isAhead(first - warmups - 1, rate)) {
          flush(source, outBuffer);
          pace(first - warmups - 1, rate);
        }
        if (lastSequence == Long.MAX_VALUE && System.nanoTime() >= endNanos) {
          lastSequence = first; // Time is up: this batch is the closing broadcast alone.
        }
        int size =
            (int) Math.min(1 + shuffle.nextInt(options.maxBatch()), lastSequence - first + 1);
        for (int i = 0; i < size; i++) {
          long sequence = first + i;
          starts[i + 1] = workload.next(sequence, sequence == lastSequence, batch, starts[i]);
          order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
          int j = shuffle.nextInt(i + 1);
          int swap = order[i];
          order[i] = order[j];
          order[j] = swap;
        }
        workload.publish();
        sendTimes.batchSent(first, System.nanoTime());
        for (int i = 0; i < size; i++) {
          int line = order[i];
          int length = starts[line + 1] - starts[line];
          if (outBuffer.remaining() < length) {
            flush(source, outBuffer);
          }
          outBuffer.put(batch, starts[line], length);
        }
        first += size;
        sentEvents = first - 1;
      }
      flush(source, outBuffer);
    } catch (IOException e) {
      verdicts.fail("sending events failed: " + e.getMessage());
    }
    generated = true;
  }

  private boolean isAhead(long sent, long rate) {
    return startNanos + (long) (sent * (1e9 / rate)) - System.nanoTime() > 100_000;
  }

  /** Waits until {@code sent} events are not ahead of {@code rate} per second since the start. */
  private void pace(long sent, long rate) {
    long due = startNanos + (long) (sent * (1e9 / rate));
    for (long ahead = due - System.nanoTime();
        ahead > 100_000 && !verdicts.finished();
        ahead = due - System.nanoTime()) {
      java.util.concurrent.locks.LockSupport.parkNanos(ahead);
    }
  }

  private static void flush(SocketChannel channel, ByteBuffer buffer) throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  private void awaitDelivery(long deadline, long warmups) throws InterruptedException {
    long interval = options.progressInterval().toNanos();
    long nextProgress = System.nanoTime() + (interval > 0 ? interval : Long.MAX_VALUE / 2);
    while (verdicts.failure() == null) {
      if (generated && allDelivered(warmups)) {
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
    if (!generated) {
      return "the source had sent only " + sentEvents + " events";
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
    double seconds = (now - startNanos) / 1e9;
    long pid = serverPid;
    String server =
        pid < 0
            ? ""
            : String.format(
                Locale.ROOT,
                ", server RSS %d MiB, %d open files",
                ServerMemory.rssBytes(pid) >> 20,
                ServerMemory.openFiles(pid));
    out.printf(
        Locale.ROOT,
        "bench: %.0fs sent %d events (%.0f/s), clients received %d notifications%s%n",
        seconds,
        sentEvents,
        sentEvents / Math.max(seconds, 1e-9),
        received,
        server);
  }

  private Thread startRssSampler() {
    OptionalLong pid =
        options.measure().serverPid() >= 0
            ? OptionalLong.of(options.measure().serverPid())
            : ServerMemory.pidListeningOn(options.eventPort());
    serverPid = pid.orElse(-1);
    return Thread.ofPlatform()
        .name("bench-rss")
        .daemon()
        .start(
            () -> {
              while (pid.isPresent() && !Thread.currentThread().isInterrupted()) {
                resources.add(
                    ServerMemory.rssBytes(pid.getAsLong()),
                    ServerMemory.openFiles(pid.getAsLong()));
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
  }

  private long storeBytes() {
    java.nio.file.Path store = options.measure().store();
    if (store == null) {
      return -1;
    }
    long bytes = 0;
    for (String suffix : new String[] {"", "-wal"}) {
      try {
        bytes += java.nio.file.Files.size(store.resolveSibling(store.getFileName() + suffix));
      } catch (IOException e) {
        // Not there (yet).
      }
    }
    return bytes;
  }

  private BenchResult result() {
    Histogram latency = new Histogram(3_600_000_000L, 2);
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
        sentEvents,
        options.clients(),
        seconds,
        notifications,
        latency.getValueAtPercentile(50),
        latency.getValueAtPercentile(99),
        latency.getMaxValue(),
        resources,
        workload == null ? 0 : workload.expectedOffline(),
        unreliableOutcome,
        new BenchResult.ServerCost(
            cpuAtStart < 0 || cpuAtDelivery < 0 ? -1 : cpuAtDelivery - cpuAtStart,
            cpuAtStart < 0 || cpuSettled < 0 ? -1 : cpuSettled - cpuAtStart,
            storeBytes()));
  }
}
