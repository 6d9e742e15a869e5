package io.followermaze.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientIdTest {

  private static ClientId parse(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    return ClientId.parse(bytes, bytes.length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"2932\r\n", "2932\n"})
  void readsAnIdEndingInLfOrCrlf(String line) {
    assertThat(parse(line).userId()).isEqualTo(2932);
    assertThat(parse(line).valid()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"\r\n", "abc\n", "-1\n", "12a\n", " 1\n", "2147483648\n", "99999999999\n"})
  void rejectsAnythingButANumberInRange(String line) {
    assertThat(parse(line).valid()).isFalse();
    assertThat(parse(line).error()).isNotBlank();
  }
}
