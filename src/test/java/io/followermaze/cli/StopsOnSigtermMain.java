package io.followermaze.cli;

/**
 * A process for {@link ClusterCommandsExitTest}: runs until stopped, as the sequencer and gateway
 * commands do.
 */
final class StopsOnSigtermMain {

  private StopsOnSigtermMain() {}

  public static void main(String[] args) throws Exception {
    System.exit(
        ClusterOptions.runUntilStopped(
            new io.followermaze.lifecycle.Roles(),
            () -> {
              System.out.println("running"); // the shutdown hook is in place
              System.out.flush();
            },
            () -> System.out.println("closed")));
  }
}
