package io.followermaze.cli;

/**
 * A process for {@link ClusterCommandsExitTest}: runs until stopped, as the sequencer and gateway
 * commands do.
 */
final class StopsOnSigtermMain {

  private StopsOnSigtermMain() {}

  public static void main(String[] args) throws Exception {
    io.followermaze.lifecycle.Roles roles = new io.followermaze.lifecycle.Roles();
    ClusterOptions.exitWhenARoleDies(roles); // loads what the hook needs before "running"
    System.out.println("running");
    System.out.flush();
    System.exit(ClusterOptions.runUntilStopped(roles, () -> System.out.println("closed")));
  }
}
