package io.followermaze.cli;

import io.followermaze.admin.AdminServer;
import io.followermaze.dlq.DeadLetterCollector;
import io.followermaze.dlq.LoggingDeadLetterSink;
import io.followermaze.server.Server;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** {@code serve}'s admin API options, and the API they start. */
final class AdminOptions {

  @Option(
      names = "--admin-port",
      defaultValue = "${env:FM_ADMIN_PORT:-8080}",
      description =
          "Port of the admin HTTP API (health, ready, metrics, stats); 0 picks a free one, -1 turns it off (env FM_ADMIN_PORT).")
  int adminPort;

  @Option(
      names = "--admin-allowed-hosts",
      split = ",",
      defaultValue = "${env:FM_ADMIN_ALLOWED_HOSTS:-}",
      description =
          "Host names the admin API answers to besides loopback names and IP addresses, comma-separated"
              + " (requests naming another host are refused: DNS rebinding) (env FM_ADMIN_ALLOWED_HOSTS).")
  List<String> adminAllowedHosts = List.of();

  @Option(
      names = "--admin-bind",
      defaultValue = "${env:FM_ADMIN_BIND:-127.0.0.1}",
      description = "Address of the admin API; loopback unless widened (env FM_ADMIN_BIND).")
  String adminBind;

  @Option(
      names = "--admin-token",
      defaultValue = "${env:FM_ADMIN_TOKEN}",
      description =
          "When set, every admin endpoint but /health needs 'Authorization: Bearer <token>' (env FM_ADMIN_TOKEN; prefer the variable, flags show in ps).")
  String adminToken;

  /** Whether the admin API is on. */
  boolean enabled() {
    return adminPort >= 0;
  }

  /** Starts the admin API over the running server and its dead letters. */
  AdminServer start(
      Server server,
      LoggingDeadLetterSink deadLetters,
      DeadLetterCollector collector,
      DlqOptions dlq,
      Server.Redrive redrive) {
    return AdminServer.start(
        new AdminServer.Options(
            adminBind,
            adminPort,
            adminToken,
            adminAllowedHosts.stream().filter(h -> !h.isBlank()).collect(Collectors.toSet())),
        server,
        deadLetters,
        collector,
        dlq.openOperations(),
        redrive == null ? null : redrive.parked()::redriven);
  }
}
