package io.followermaze.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriterThreadsTest {

  private String saved;

  @BeforeEach
  void clear() {
    saved = System.clearProperty(WriterThreads.PROPERTY);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(WriterThreads.PROPERTY);
    } else {
      System.setProperty(WriterThreads.PROPERTY, saved);
    }
  }

  @Test
  void byDefaultTheWritersGetEveryCoreButTheEnginesAndAtLeastOne() {
    int expected = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

    assertThat(WriterThreads.apply(0)).isEqualTo(expected);
    assertThat(System.getProperty(WriterThreads.PROPERTY)).isEqualTo(Integer.toString(expected));
  }

  @Test
  void aRequestedCountIsUsedButAnExplicitJvmSettingWins() {
    assertThat(WriterThreads.apply(3)).isEqualTo(3);

    System.setProperty(WriterThreads.PROPERTY, "5");

    assertThat(WriterThreads.apply(2)).isEqualTo(5);
  }
}
