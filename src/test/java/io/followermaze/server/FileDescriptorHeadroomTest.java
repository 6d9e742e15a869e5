package io.followermaze.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FileDescriptorHeadroomTest {

  @Test
  void aLimitBelowMaxClientsPlusTheReserveIsReported() {
    assertThat(FileDescriptorHeadroom.check(10_000, OptionalLong.of(1_024))).isFalse();
    assertThat(FileDescriptorHeadroom.check(10_000, OptionalLong.of(10_000))).isFalse();
  }

  @Test
  void enoughHeadroomOrAnUnknownLimitPasses() {
    assertThat(FileDescriptorHeadroom.check(10_000, OptionalLong.of(20_000))).isTrue();
    assertThat(FileDescriptorHeadroom.check(10_000, OptionalLong.empty())).isTrue();
    assertThat(FileDescriptorHeadroom.limit()).isPresent();
  }
}
