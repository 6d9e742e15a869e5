package io.followermaze.server;

import io.followermaze.delivery.ClientLimits;
import io.followermaze.delivery.SlowClientPolicy;
import java.time.Duration;

/**
 * Every setting of the server, validated once by {@link #validate()}; messages name the option.
 *
 * @param bindAddress the address both listeners bind to
 * @param eventPort the event source's port (0 picks a free one)
 * @param clientPort the user clients' port (0 picks a free one)
 * @param maxLineLength the longest event line accepted, in bytes without terminator
 * @param writeBufferBytes the size of one client write (and of its direct buffer)
 * @param clientLinger the least time between two wake-ups of a client's writer while its
 *     notifications keep coming (zero: after every batch)
 * @param clientLimits what a client may hold before it counts as too slow, and what happens then
 * @param gapDistance the least distance past a missing sequence number before it is skipped
 * @param reorderWindow the most sequence numbers held out of order (a power of two)
 * @param gapTimeout source silence, with a gap open, after which the gap is skipped
 * @param handshakeTimeout how long a new client has to send its id
 * @param maxClients how many user client connections may be open at once
 * @param shutdownTimeout how long shutdown waits for clients to receive what is queued
 * @param statusInterval how often a status line is logged while there is activity (0: never)
 */
public record ServerConfig(
    String bindAddress,
    int eventPort,
    int clientPort,
    int maxLineLength,
    int writeBufferBytes,
    Duration clientLinger,
    ClientLimits clientLimits,
    long gapDistance,
    int reorderWindow,
    Duration gapTimeout,
    Duration handshakeTimeout,
    int maxClients,
    Duration shutdownTimeout,
    Duration statusInterval) {

  /** The defaults: the protocol's ports on all interfaces. */
  public static ServerConfig defaults() {
    return new ServerConfig(
        "0.0.0.0",
        9090,
        9099,
        1024,
        8 * 1024,
        Duration.ofMillis(50),
        ClientLimits.DEFAULTS,
        50_000,
        1 << 20,
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        10_000,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10));
  }

  /** This config on other ports. */
  public ServerConfig withPorts(String bind, int events, int clients) {
    return with(
        b -> {
          b.bindAddress = bind;
          b.eventPort = events;
          b.clientPort = clients;
        });
  }

  /** This config with another status-line interval. */
  public ServerConfig withStatusInterval(Duration interval) {
    return with(b -> b.statusInterval = interval);
  }

  /** This config with another gap policy. */
  public ServerConfig withGapPolicy(long distance, Duration timeout) {
    return with(
        b -> {
          b.gapDistance = distance;
          b.gapTimeout = timeout;
        });
  }

  /** This config with another client linger. */
  public ServerConfig withClientLinger(Duration linger) {
    return with(b -> b.clientLinger = linger);
  }

  /** This config with other client limits. */
  public ServerConfig withClientLimits(ClientLimits limits) {
    return with(b -> b.clientLimits = limits);
  }

  /** This config with another per-client buffer (bytes), slow-client policy and client bounds. */
  public ServerConfig withClientBounds(
      long bufferBytes, SlowClientPolicy policy, int maxClients, Duration handshake) {
    return with(
        b -> {
          b.clientLimits = clientLimits.withBuffer(bufferBytes, policy);
          b.maxClients = maxClients;
          b.handshakeTimeout = handshake;
        });
  }

  /** A copy of this config with what {@code change} sets. */
  private ServerConfig with(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /** A mutable copy, for the {@code with} methods: each field named once here. */
  private static final class Copy {
    String bindAddress;
    int eventPort;
    int clientPort;
    final int maxLineLength;
    final int writeBufferBytes;
    Duration clientLinger;
    ClientLimits clientLimits;
    long gapDistance;
    final int reorderWindow;
    Duration gapTimeout;
    Duration handshakeTimeout;
    int maxClients;
    final Duration shutdownTimeout;
    Duration statusInterval;

    Copy(ServerConfig c) {
      bindAddress = c.bindAddress;
      eventPort = c.eventPort;
      clientPort = c.clientPort;
      maxLineLength = c.maxLineLength;
      writeBufferBytes = c.writeBufferBytes;
      clientLinger = c.clientLinger;
      clientLimits = c.clientLimits;
      gapDistance = c.gapDistance;
      reorderWindow = c.reorderWindow;
      gapTimeout = c.gapTimeout;
      handshakeTimeout = c.handshakeTimeout;
      maxClients = c.maxClients;
      shutdownTimeout = c.shutdownTimeout;
      statusInterval = c.statusInterval;
    }

    ServerConfig build() {
      return new ServerConfig(
          bindAddress,
          eventPort,
          clientPort,
          maxLineLength,
          writeBufferBytes,
          clientLinger,
          clientLimits,
          gapDistance,
          reorderWindow,
          gapTimeout,
          handshakeTimeout,
          maxClients,
          shutdownTimeout,
          statusInterval);
    }
  }

  /** Checks every setting; throws {@link IllegalArgumentException} naming the first bad option. */
  public ServerConfig validate() {
    port("--event-port", eventPort);
    port("--client-port", clientPort);
    if (eventPort != 0 && eventPort == clientPort) {
      throw new IllegalArgumentException(
          "--event-port and --client-port must differ, both are " + eventPort);
    }
    atLeast("--max-line-length", maxLineLength, 16);
    if (clientLimits == null) {
      throw new IllegalArgumentException("client limits must be set");
    }
    atLeast("--client-buffer", clientLimits.bufferBytes(), 0);
    positive("--client-stall-timeout", clientLimits.stallTimeout());
    atLeast("--outbox-budget", clientLimits.budgetBytes(), 64 * 1024);
    atLeast("--client-socket-buffer", clientLimits.socketBufferBytes(), 0);
    atLeast("--write-buffer", writeBufferBytes, maxLineLength + 2);
    atLeast("--max-clients", maxClients, 1);
    if (Integer.bitCount(reorderWindow) != 1 || reorderWindow < 1024) {
      throw new IllegalArgumentException(
          "--reorder-window must be a power of two of at least 1024, was " + reorderWindow);
    }
    if (gapDistance < 1 || gapDistance >= reorderWindow) {
      throw new IllegalArgumentException(
          "--gap-distance must be at least 1 and below --reorder-window ("
              + reorderWindow
              + "), was "
              + gapDistance);
    }
    positive("--gap-timeout", gapTimeout);
    positive("--handshake-timeout", handshakeTimeout);
    positive("--shutdown-timeout", shutdownTimeout);
    if (clientLinger == null
        || clientLinger.isNegative()
        || clientLinger.compareTo(clientLimits.stallTimeout()) >= 0) {
      throw new IllegalArgumentException(
          "--client-linger must be at least 0 and below --client-stall-timeout, was "
              + clientLinger);
    }
    if (statusInterval.isNegative()) {
      throw new IllegalArgumentException("--status-interval must not be negative");
    }
    if (clientLimits.policy() == null || bindAddress == null || bindAddress.isBlank()) {
      throw new IllegalArgumentException("--slow-client-policy and --bind must be set");
    }
    return this;
  }

  private static void port(String option, int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(option + " must be a port from 0 to 65535, was " + port);
    }
  }

  private static void atLeast(String option, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
    }
  }

  private static void positive(String option, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(option + " must be a positive duration, was " + value);
    }
  }
}
