package io.followermaze.testing;

import io.followermaze.delivery.ClientLimits;
import io.followermaze.server.ServerConfig;
import java.time.Duration;

/** The server config tests start from. */
public final class TestServerConfig {

  private TestServerConfig() {}

  /**
   * The defaults on loopback with free ports, a 2 s client stall and 64 KiB kernel send buffers (so
   * that what a client has not read piles up where the server sees it).
   */
  public static ServerConfig loopback() {
    return ServerConfig.defaults()
        .withPorts("127.0.0.1", 0, 0)
        .withClientLimits(
            ClientLimits.DEFAULTS
                .withStall(Duration.ofSeconds(2), 64L << 20)
                .withSocketBuffer(64 << 10));
  }
}
