package io.followermaze.cli;

import io.followermaze.lifecycle.Roles;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NoOpIdleStrategy;

/**
 * A process for {@link ClusterCommandsExitTest}: runs as the cluster commands do, until one of its
 * roles dies.
 */
final class RoleDiesMain {

  private RoleDiesMain() {}

  public static void main(String[] args) throws Exception {
    Roles roles = new Roles();
    roles.start(
        new Agent() {
          private final long dieAt = System.nanoTime() + 300_000_000L;

          @Override
          public int doWork() {
            if (System.nanoTime() > dieAt) { // once the process is up and running
              throw new LinkageError("class went missing");
            }
            return 0;
          }

          @Override
          public String roleName() {
            return "feed";
          }
        },
        NoOpIdleStrategy.INSTANCE);
    System.exit(
        ClusterOptions.runUntilStopped(roles, () -> {}, () -> System.out.println("closed")));
  }
}
