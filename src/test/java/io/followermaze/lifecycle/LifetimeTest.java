package io.followermaze.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every node command ({@code serve}, {@code sequencer}, {@code gateway}) lives one {@link
 * Lifetime}: SIGTERM closes what it opened and exits 0, unless something went wrong, which the exit
 * status says.
 */
class LifetimeTest {

  @ParameterizedTest(name = "{0}: exit status {1}")
  @CsvSource({"none, 0", "close-fails, 1", "letters-lost, 3"})
  void sigtermClosesEverythingAndTheExitStatusSaysWhatWentWrong(String fault, int status)
      throws Exception {
    Process process = start(fault);
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
    List<String> lines = new ArrayList<>();
    for (String line; (line = out.readLine()) != null && !line.contains("running"); ) {
      lines.add(line);
    }
    assertThat(process.isAlive()).as("up, before: %s", lines).isTrue();
    process.toHandle().destroy(); // SIGTERM, keeping our end of its output open
    String rest = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(rest).contains("closed");
    assertThat(process.exitValue())
        .as("exit status on SIGTERM, output: %s", rest)
        .isEqualTo(status);
  }

  @Test
  void aProcessWhoseRoleDiesStopsGracefullyAndExitsSeventy() throws Exception {
    Process process = start("role-dies");
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(output).contains("role 'feed' died", "closed");
    assertThat(process.exitValue()).as("exit status after a role died").isEqualTo(70);
  }

  private static Process start(String fault) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"), LifetimeMain.class.getName(), fault)
        .redirectErrorStream(true)
        .start();
  }
}
