package io.followermaze.lifecycle;

import java.time.Duration;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NoOpIdleStrategy;

/**
 * A process for {@link LifetimeTest}: lives as the node commands do, with one part that prints
 * "closed" when the stop closes it; the argument picks what goes wrong ({@code none}, {@code
 * role-dies}, {@code close-fails}, {@code letters-lost}).
 */
final class LifetimeMain {

  private LifetimeMain() {}

  public static void main(String[] args) throws Exception {
    Lifetime lifetime = new Lifetime(Duration.ofSeconds(20));
    lifetime.open("a part", () -> System.out.println("closed"));
    switch (args[0]) {
      case "role-dies" -> lifetime.roles().start(dyingRole(), NoOpIdleStrategy.INSTANCE);
      case "close-fails" ->
          lifetime.open(
              "a failing part",
              () -> {
                throw new IllegalStateException("cannot close");
              });
      case "letters-lost" -> lifetime.countNotStored(() -> 2);
      default -> {}
    }
    lifetime.runUntilStopped("running", () -> () -> {});
  }

  private static Agent dyingRole() {
    return new Agent() {
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
    };
  }
}
