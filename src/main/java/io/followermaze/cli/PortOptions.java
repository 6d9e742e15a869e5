package io.followermaze.cli;

import picocli.CommandLine.Option;

/** The two protocol ports, shared by {@code serve} (to listen) and {@code bench} (to connect). */
final class PortOptions {

  @Option(
      names = "--event-port",
      defaultValue = "${env:FM_EVENT_PORT:-9090}",
      description = "Event source port (env FM_EVENT_PORT).")
  int eventPort;

  @Option(
      names = "--client-port",
      defaultValue = "${env:FM_CLIENT_PORT:-9099}",
      description = "User client port (env FM_CLIENT_PORT).")
  int clientPort;
}
