package io.followermaze.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.Test;

class RolesTest {

  /** An agent whose cycles run {@code cycle}, counting them. */
  private static Agent agent(String name, AtomicInteger cycles, Runnable cycle) {
    return new Agent() {
      @Override
      public int doWork() {
        cycles.incrementAndGet();
        cycle.run();
        return 1;
      }

      @Override
      public String roleName() {
        return name;
      }
    };
  }

  @Test
  void aCycleThatThrowsIsCountedAndTheRoleCarriesOn() {
    AtomicInteger cycles = new AtomicInteger();
    try (Roles roles = new Roles()) {
      roles.start(
          agent(
              "flaky",
              cycles,
              () -> {
                if (cycles.get() <= 3) {
                  throw new IllegalStateException("bad record " + cycles.get());
                }
              }),
          NoOpIdleStrategy.INSTANCE);
      await().until(() -> cycles.get() > 10);
      assertThat(roles.errors()).containsEntry("flaky", 3L);
      assertThat(roles.death()).isNull();
    }
  }

  @Test
  void aRoleThatDiesIsReportedAndEveryListenerIsTold() {
    AtomicReference<Roles.Death> told = new AtomicReference<>();
    try (Roles roles = new Roles()) {
      roles.onDeath(told::set);
      roles.start(
          agent(
              "fragile",
              new AtomicInteger(),
              () -> {
                throw new LinkageError("broken invariant");
              }),
          NoOpIdleStrategy.INSTANCE);
      await().until(() -> told.get() != null);
      assertThat(roles.death().role()).isEqualTo("fragile");
      assertThat(roles.death().describe()).contains("fragile", "broken invariant");
      AtomicReference<Roles.Death> late = new AtomicReference<>();
      roles.onDeath(late::set);
      assertThat(late.get()).as("a listener added later hears of it at once").isNotNull();
    }
  }

  @Test
  void aRoleThatFinishesItsWorkOrIsStoppedHasNotDied() throws Exception {
    AtomicInteger cycles = new AtomicInteger();
    try (Roles roles = new Roles()) {
      roles.start(
          agent(
              "done",
              cycles,
              () -> {
                throw new AgentTerminationException(true);
              }),
          NoOpIdleStrategy.INSTANCE);
      AutoCloseable stopped =
          roles.start(agent("stopped", new AtomicInteger(), () -> {}), NoOpIdleStrategy.INSTANCE);
      await().until(() -> cycles.get() == 1);
      stopped.close();
      assertThat(roles.death()).isNull();
      assertThat(roles.errors()).containsEntry("done", 0L);
    }
  }

  @Test
  void aPeriodicRoleRunsAgainAfterARunThatFailed() {
    AtomicInteger runs = new AtomicInteger();
    try (Roles roles = new Roles()) {
      roles.every(
          "sampler",
          java.time.Duration.ofMillis(10),
          () -> {
            if (runs.incrementAndGet() == 1) {
              throw new IllegalStateException("first run fails");
            }
          });
      await().until(() -> runs.get() >= 3);
      assertThat(roles.errors()).containsEntry("sampler", 1L);
      assertThat(roles.death()).isNull();
    }
  }
}
