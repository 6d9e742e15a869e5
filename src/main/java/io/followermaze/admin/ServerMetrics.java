package io.followermaze.admin;

import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.DlqOperations;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.dlq.Reason;
import io.followermaze.server.Server;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.Map;

/**
 * Registers the server's meters: counters and gauges that read the engine's published statistics,
 * the dead-letter counts by reason, the collector and the store, plus JVM metrics. Names follow
 * Prometheus conventions once exported ({@code followermaze_events_received_total}, ...).
 */
public final class ServerMetrics implements AutoCloseable {

  private final Server server;
  private final LoggingDeadLetterSink deadLetters;
  private final DeadLetterCollector collector;
  private final DlqOperations dlq;
  private final DlqDepth depth;
  private final java.util.function.LongSupplier redriven;
  private JvmGcMetrics gcMetrics;

  /**
   * As above, with the store's size, and the stored letters' depth and oldest age per reason, read
   * from {@code dlq} (nullable) where it keeps local files (a remote store is not scanned for a
   * gauge), and the count of redriven letters from {@code redriven} (nullable).
   */
  public ServerMetrics(
      Server server,
      LoggingDeadLetterSink deadLetters,
      DeadLetterCollector collector,
      DlqOperations dlq,
      java.util.function.LongSupplier redriven) {
    this.redriven = redriven;
    this.server = server;
    this.deadLetters = deadLetters;
    this.collector = collector;
    this.dlq = dlq != null && dlq.bytesOnDisk().isPresent() ? dlq : null;
    this.depth = this.dlq == null ? null : new DlqDepth(this.dlq);
  }

  /** Registers every meter with {@code registry}. */
  public void bindTo(MeterRegistry registry) {
    counter(
        registry,
        "followermaze.events.received",
        "Well-formed events read from the event source",
        s -> s.server.stats().eventsReceived());
    counter(
        registry,
        "followermaze.events.delivered",
        "Events released in sequence order and routed",
        s -> s.server.stats().eventsDelivered());
    counter(
        registry,
        "followermaze.lines.malformed",
        "Event-source lines that did not parse",
        s -> s.server.stats().linesMalformed());
    counter(
        registry,
        "followermaze.notifications.sent",
        "Notifications queued for connected clients",
        s -> s.server.stats().notificationsQueued());
    for (Reason reason : Reason.values()) {
      FunctionCounter.builder("followermaze.dead.letters", this, s -> s.deadLetters.count(reason))
          .description("Dead letters raised, by reason")
          .tag("reason", reason.name().toLowerCase())
          .tag("category", reason.category().name().toLowerCase())
          .register(registry);
    }
    gauge(
        registry,
        "followermaze.ready",
        "1 when both listeners are up and the dead-letter store's last commit succeeded",
        s ->
            s.server.eventPort() > 0
                    && s.server.clientPort() > 0
                    && (s.collector == null || s.collector.healthy())
                ? 1
                : 0);
    if (redriven != null) {
      counter(
          registry,
          "followermaze.dlq.redriven",
          "Dead letters redriven to their users",
          s -> s.redriven.getAsLong());
    }
    gauge(
        registry,
        "followermaze.clients.connected",
        "Connected user clients",
        s -> s.server.stats().connectedClients());
    gauge(
        registry,
        "followermaze.reorder.buffer.depth",
        "Events held waiting for a missing sequence number",
        s -> s.server.stats().reorderDepth());
    gauge(
        registry,
        "followermaze.client.connections.open",
        "Client connections open, handshakes included",
        s -> s.server.openClientConnections());
    if (collector != null) {
      gauge(
          registry,
          "followermaze.dlq.queue.depth",
          "Dead letters waiting to be committed",
          s -> s.collector.queued());
      counter(
          registry,
          "followermaze.dlq.committed",
          "Dead letters committed to the store",
          s -> s.collector.committed());
      counter(
          registry,
          "followermaze.dlq.commit.failures",
          "Dead-letter commits that failed and were retried",
          s -> s.collector.commitFailures());
      counter(
          registry,
          "followermaze.dlq.index.failures",
          "Dead-letter index passes that failed (retried later)",
          s -> s.collector.indexFailures());
      Gauge.builder(
              "followermaze.dlq.index.failing",
              this,
              s -> s.collector.indexFailingFor().toMillis() / 1e3)
          .description(
              "How long indexing has kept failing (0 while it succeeds): letters committed meanwhile cannot be listed or redriven")
          .baseUnit("seconds")
          .strongReference(true)
          .register(registry);
      counter(
          registry,
          "followermaze.dlq.backpressure.waits",
          "Times intake waited for the dead-letter store",
          s -> s.collector.backPressureWaits());
      FunctionCounter.builder(
              "followermaze.dlq.backpressure", this, s -> s.collector.backPressureNanos() / 1e9)
          .description("Time intake was paused waiting for the dead-letter store")
          .baseUnit("seconds")
          .register(registry);
      Gauge.builder(
              "followermaze.dlq.flush.duration", this, s -> s.collector.lastFlushNanos() / 1e9)
          .description("How long the last dead-letter commit took")
          .baseUnit("seconds")
          .strongReference(true)
          .register(registry);
    }
    if (depth != null) {
      for (Reason reason : Reason.values()) {
        Gauge.builder("followermaze.dlq.depth", this, s -> s.depth.letters(reason))
            .description(
                "Dead letters in the store, by reason (from the store's counters; refreshed every 5 s)")
            .tag("reason", reason.name().toLowerCase())
            .tag("category", reason.category().name().toLowerCase())
            .strongReference(true)
            .register(registry);
        Gauge.builder("followermaze.dlq.oldest.age", this, s -> s.depth.oldestAgeSeconds(reason))
            .description(
                "Age of the oldest dead letter in the store, by reason (0 when none; refreshed every 5 s)")
            .baseUnit("seconds")
            .tag("reason", reason.name().toLowerCase())
            .tag("category", reason.category().name().toLowerCase())
            .strongReference(true)
            .register(registry);
      }
    }
    if (collector != null && dlq != null) {
      Gauge.builder("followermaze.dlq.store.size", this, ServerMetrics::storeBytes)
          .description("Size of the dead-letter store on disk")
          .baseUnit("bytes")
          .strongReference(true)
          .register(registry);
    }
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Unregisters the JVM's garbage-collection listeners that {@link #bindTo} installed. */
  @Override
  public void close() {
    if (gcMetrics != null) {
      gcMetrics.close();
    }
  }

  /** The store's depth and oldest letter per reason, read at most every five seconds. */
  private static final class DlqDepth {
    private static final long REFRESH_NANOS = 5_000_000_000L;
    private final DlqOperations dlq;
    private Map<Reason, Long> letters = Map.of();
    private Map<Reason, Long> oldest = Map.of();
    private long readAt = System.nanoTime() - REFRESH_NANOS;

    DlqDepth(DlqOperations dlq) {
      this.dlq = dlq;
    }

    synchronized double letters(Reason reason) {
      refresh();
      return letters.getOrDefault(reason, 0L);
    }

    synchronized double oldestAgeSeconds(Reason reason) {
      refresh();
      long time = oldest.getOrDefault(reason, 0L);
      return time == 0 ? 0 : Math.max(0, System.currentTimeMillis() - time) / 1000.0;
    }

    private void refresh() {
      if (System.nanoTime() - readAt < REFRESH_NANOS) {
        return;
      }
      readAt = System.nanoTime();
      try {
        letters = dlq.stats().byReason();
        oldest = dlq.oldestByReason();
      } catch (RuntimeException e) {
        // The store is unreadable now: the last values stay, /ready says what is wrong.
      }
    }
  }

  private double storeBytes() {
    return dlq.bytesOnDisk().orElse(0);
  }

  private void counter(
      MeterRegistry registry,
      String name,
      String help,
      java.util.function.ToDoubleFunction<ServerMetrics> f) {
    FunctionCounter.builder(name, this, f).description(help).register(registry);
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String help,
      java.util.function.ToDoubleFunction<ServerMetrics> f) {
    Gauge.builder(name, this, f).description(help).strongReference(true).register(registry);
  }
}
