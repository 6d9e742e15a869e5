package io.followermaze.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.followermaze.delivery.ClientLimits;
import io.followermaze.delivery.SlowClientPolicy;
import io.followermaze.server.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

  private static ServerConfig serveConfig(String... args) {
    CommandLine commandLine = FollowerMaze.commandLine();
    CommandLine.ParseResult parsed = commandLine.parseArgs(args);
    return ((ServeCommand) parsed.subcommand().commandSpec().userObject()).config();
  }

  @Test
  void serveDefaultsAreTheProtocolPortsAndSaneBounds() {
    ServerConfig config = serveConfig("serve");
    assertThat(config.eventPort()).isEqualTo(9090);
    assertThat(config.clientPort()).isEqualTo(9099);
    assertThat(config.gapTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.clientLimits().policy()).isEqualTo(SlowClientPolicy.DISCONNECT);
    assertThat(config).isEqualTo(ServerConfig.defaults());
  }

  @Test
  void flagsOverrideDefaultsWithHumanDurationsAndCaseInsensitivePolicies() {
    ServerConfig config =
        serveConfig(
            "serve",
            "--event-port",
            "1234",
            "--client-port=4321",
            "--gap-timeout",
            "250ms",
            "--slow-client-policy",
            "dead-letter",
            "--handshake-timeout",
            "PT2S",
            "--client-buffer",
            "256KiB",
            "--client-stall-timeout",
            "3s",
            "--outbox-budget",
            "1GiB");
    assertThat(config.eventPort()).isEqualTo(1234);
    assertThat(config.clientPort()).isEqualTo(4321);
    assertThat(config.gapTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.clientLimits())
        .isEqualTo(
            new ClientLimits(
                256 << 10, Duration.ofSeconds(3), 1L << 30, SlowClientPolicy.DEAD_LETTER, 0));
  }

  @Test
  void anUnknownPolicyListsTheValidOnes() {
    StringWriter err = new StringWriter();
    int status =
        FollowerMaze.commandLine()
            .setErr(new PrintWriter(err))
            .execute("serve", "--slow-client-policy", "drop");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("'drop' is not one of [disconnect, dead-letter]");
  }

  @Test
  void validationNamesTheOffendingOption() {
    assertThatThrownBy(() -> serveConfig("serve", "--event-port", "70000").validate())
        .hasMessageContaining("--event-port");
    assertThatThrownBy(() -> serveConfig("serve", "--reorder-window", "1000").validate())
        .hasMessageContaining("--reorder-window must be a power of two");
    assertThatThrownBy(() -> serveConfig("serve", "--gap-distance", "2000000").validate())
        .hasMessageContaining("--gap-distance");
    assertThatThrownBy(
            () -> serveConfig("serve", "--event-port", "9", "--client-port", "9").validate())
        .hasMessageContaining("must differ");
  }

  @Test
  void aBadDurationIsRejectedWithExamples() {
    StringWriter err = new StringWriter();
    CommandLine commandLine = FollowerMaze.commandLine().setErr(new PrintWriter(err));
    int status = commandLine.execute("serve", "--gap-timeout", "soon");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString())
        .contains("'soon' is not a duration (examples: 500ms, 30s, 5m, 1h, 7d)");
  }

  @Test
  void helpNamesTheEnvironmentVariableOfEveryServeOption() {
    StringWriter out = new StringWriter();
    FollowerMaze.commandLine().setOut(new PrintWriter(out)).execute("serve", "--help");
    assertThat(out.toString())
        .contains(
            "FM_EVENT_PORT",
            "FM_CLIENT_PORT",
            "FM_GAP_TIMEOUT",
            "FM_SLOW_CLIENT_POLICY",
            "FM_CLIENT_BUFFER",
            "SIGTERM");
  }

  @Test
  void benchRejectsImpossibleOptionsWithStatusTwo() {
    StringWriter err = new StringWriter();
    int status =
        FollowerMaze.commandLine().setErr(new PrintWriter(err)).execute("bench", "--events", "5");
    assertThat(status).isEqualTo(2);
  }
}
