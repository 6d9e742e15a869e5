package io.followermaze.cli;

/**
 * A process for {@link ClusterCommandsExitTest}: runs until stopped, as the sequencer and gateway
 * commands do.
 */
final class StopsOnSigtermMain {

  private StopsOnSigtermMain() {}

  public static void main(String[] args) throws Exception {
    System.out.println("running");
    System.out.flush();
    System.exit(ClusterOptions.runUntilStopped(() -> System.out.println("closed")));
  }
}
