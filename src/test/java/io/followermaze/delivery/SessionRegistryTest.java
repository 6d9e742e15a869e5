package io.followermaze.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionRegistryTest {

  private static ClientSession session(int user) {
    return new ClientSession(user, InMemoryConnection.draining(), "client " + user, 8192);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 7, 1_000, 70_000, (1 << 20) - 1, 1 << 20, Integer.MAX_VALUE, -5})
  void findsARegisteredUserByIdWhateverItsSizeAndForgetsItOnUnregister(int user) {
    SessionRegistry registry = new SessionRegistry();
    ClientSession session = session(user);

    registry.register(session);

    assertThat(registry.get(user)).isSameAs(session);
    assertThat(registry.get(user + 1)).isNull();
    assertThat(registry.get(user - 1)).isNull();
    assertThat(registry.size()).isOne();

    assertThat(registry.unregister(session)).isTrue();

    assertThat(registry.get(user)).isNull();
    assertThat(registry.size()).isZero();
  }

  @Test
  void aNewerConnectionReplacesTheOlderAndTheOlderCannotUnregisterIt() {
    SessionRegistry registry = new SessionRegistry();
    ClientSession older = session(42);
    ClientSession newer = session(42);
    registry.register(older);

    assertThat(registry.register(newer)).isSameAs(older);

    assertThat(registry.unregister(older)).as("stale").isFalse();
    assertThat(registry.get(42)).isSameAs(newer);
    assertThat(registry.size()).isOne();
  }

  @Test
  void idsRegisteredInAnyOrderAreEachFound() {
    SessionRegistry registry = new SessionRegistry();
    int[] users = {5_000, 3, 900_000, 64, 63, 2_000_000};
    for (int user : users) {
      registry.register(session(user));
    }

    for (int user : users) {
      assertThat(registry.get(user).userId()).isEqualTo(user);
    }
    assertThat(registry.get(4)).isNull();
    assertThat(registry.size()).isEqualTo(users.length);
  }
}
