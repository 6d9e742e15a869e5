package io.followermaze.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateWindowTest {

  @Test
  void averagesTheLastSecondsAndCoversOnlyWhatWasRecorded() {
    RateWindow window = new RateWindow(10);
    assertThat(window.window(5).seconds()).isZero();
    for (int second = 0; second <= 4; second++) {
      window.record(second * 100L, second * 90L, second * 10L);
    }
    RateWindow.Rates rates = window.window(60);
    assertThat(rates.seconds()).isEqualTo(4);
    assertThat(rates.received()).isEqualTo(100.0);
    assertThat(rates.delivered()).isEqualTo(90.0);
    assertThat(rates.deadLettered()).isEqualTo(10.0);
    assertThat(window.window(2).seconds()).isEqualTo(2);
    assertThat(window.series(0, 3)).containsExactly(100, 100, 100);
    assertThat(window.series(0, 60)).hasSize(4);
  }

  @Test
  void keepsOnlyItsCapacityAsTheRingWraps() {
    RateWindow window = new RateWindow(3);
    for (int second = 0; second < 100; second++) {
      window.record(second * second, 0, 0);
    }
    RateWindow.Rates rates = window.window(3);
    assertThat(rates.seconds()).isEqualTo(3);
    assertThat(rates.received()).isEqualTo((99 * 99 - 96 * 96) / 3.0);
  }
}
