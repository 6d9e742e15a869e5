package io.followermaze.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sequencer and gateway commands stop gracefully on SIGTERM and exit 0, as {@code serve} does;
 * when one of their roles dies they stop as gracefully and exit 70.
 */
class ClusterCommandsExitTest {

  @Test
  void aClusterCommandExitsZeroOnSigterm() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                StopsOnSigtermMain.class.getName())
            .redirectErrorStream(true)
            .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
    assertThat(out.readLine()).isEqualTo("running");
    process.toHandle().destroy(); // SIGTERM, keeping our end of its output open
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out.readLine()).isEqualTo("closed");
    assertThat(process.exitValue()).as("exit status on SIGTERM").isZero();
  }

  @Test
  void aProcessWhoseRoleDiesStopsGracefullyAndExitsNonZero() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), RoleDiesMain.class.getName())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(output).contains("role 'feed' died", "closed");
    assertThat(process.exitValue()).as("exit status after a role died").isEqualTo(70);
  }
}
