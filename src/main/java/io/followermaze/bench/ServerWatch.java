package io.followermaze.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Watches the server process from outside, through {@code /proc}: its resident memory and open
 * files every 200 ms, its CPU (user + system) when the stream starts, when the last line is
 * delivered and once it has gone idle, and its store's size on disk. Any server on the ports can be
 * watched (the reference one included); without a process id it measures nothing.
 */
final class ServerWatch {

  private final long pid;
  private final Path store;
  private final ResourceTrend resources = new ResourceTrend();
  private Thread sampler;
  private double cpuAtStart = -1;
  private double cpuAtDelivery = -1;
  private double cpuSettled = -1;

  /** Starts sampling the server given by {@code --server-pid}, or the one listening on the port. */
  static ServerWatch start(BenchOptions options) {
    ServerWatch watch = new ServerWatch(options);
    watch.sampler = Thread.ofPlatform().name("bench-rss").daemon().start(watch::sample);
    return watch;
  }

  private ServerWatch(BenchOptions options) {
    OptionalLong found =
        options.measure().serverPid() >= 0
            ? OptionalLong.of(options.measure().serverPid())
            : ServerMemory.pidListeningOn(options.eventPort());
    this.pid = found.orElse(-1);
    this.store = options.measure().store();
  }

  private void sample() {
    while (pid >= 0 && !Thread.currentThread().isInterrupted()) {
      resources.add(ServerMemory.rssBytes(pid), ServerMemory.openFiles(pid));
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The stream starts: CPU counts from here. */
  void streamStarted() {
    cpuAtStart = ServerCpu.seconds(pid);
  }

  /** Every client has its last line. */
  void delivered() {
    cpuAtDelivery = ServerCpu.seconds(pid);
  }

  /**
   * Waits up to {@code maxMillis} for the server to go idle (its deferred work counts too) and
   * reads its CPU then; only after a delivery was measured.
   */
  void settle(long maxMillis) throws InterruptedException {
    if (cpuAtDelivery >= 0 && maxMillis > 0) {
      cpuSettled = ServerCpu.settled(pid, maxMillis);
    }
  }

  /** Stops sampling. */
  void stop() {
    sampler.interrupt();
  }

  /** RSS and open files over the run. */
  ResourceTrend resources() {
    return resources;
  }

  /** A progress line's server part (empty without a process). */
  String now() {
    return pid < 0
        ? ""
        : String.format(
            Locale.ROOT,
            ", server RSS %d MiB, %d open files",
            ServerMemory.rssBytes(pid) >> 20,
            ServerMemory.openFiles(pid));
  }

  /** CPU seconds from the start to delivery and to idle, and the store's bytes (-1: unknown). */
  BenchResult.ServerCost cost() {
    return new BenchResult.ServerCost(
        cpuAtStart < 0 || cpuAtDelivery < 0 ? -1 : cpuAtDelivery - cpuAtStart,
        cpuAtStart < 0 || cpuSettled < 0 ? -1 : cpuSettled - cpuAtStart,
        storeBytes());
  }

  private long storeBytes() {
    if (store == null) {
      return -1;
    }
    long bytes = 0;
    for (String suffix : new String[] {"", "-wal"}) {
      try {
        bytes += Files.size(store.resolveSibling(store.getFileName() + suffix));
      } catch (IOException e) {
        // Not there (yet).
      }
    }
    return bytes;
  }
}
