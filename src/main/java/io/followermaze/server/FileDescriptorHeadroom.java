package io.followermaze.server;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at startup that the process may open enough files for {@code --max-clients}: each client
 * holds one socket, and the server needs some more (listeners, the store, the JVM's own). Too low a
 * limit would make connections fail with "Too many open files" long before the configured limit
 * refuses them cleanly, so it is said loudly at startup instead.
 */
final class FileDescriptorHeadroom {

  /** Descriptors the server needs besides client sockets: listeners, store, jars, JVM. */
  static final long RESERVED = 256;

  private static final Logger log = LoggerFactory.getLogger(FileDescriptorHeadroom.class);

  private FileDescriptorHeadroom() {}

  /** The process's open-file limit, if the platform says. */
  static OptionalLong limit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
      return OptionalLong.of(unix.getMaxFileDescriptorCount());
    }
    return OptionalLong.empty();
  }

  /**
   * Logs a warning when {@code maxClients} plus the reserve exceed {@code limit}; returns whether
   * it fits.
   */
  static boolean check(int maxClients, OptionalLong limit) {
    if (limit.isEmpty() || maxClients + RESERVED <= limit.getAsLong()) {
      return true;
    }
    log.warn(
        "the open-file limit ({}) is below --max-clients ({}) plus {} for the server itself: clients would fail"
            + " with 'Too many open files' before the limit refuses them cleanly. Raise it (ulimit -n {}) or lower"
            + " --max-clients to {}",
        limit.getAsLong(),
        maxClients,
        RESERVED,
        maxClients + RESERVED,
        Math.max(0, limit.getAsLong() - RESERVED));
    return false;
  }
}
