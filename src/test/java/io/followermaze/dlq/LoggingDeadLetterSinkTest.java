package io.followermaze.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoggingDeadLetterSinkTest {

  private static DeadLetter offline(int recipient) {
    return new DeadLetter(
        Reason.USER_NOT_CONNECTED,
        "1|P|2|3\n".getBytes(StandardCharsets.US_ASCII),
        8,
        1,
        recipient,
        io.followermaze.protocol.EventType.PRIVATE_MESSAGE,
        1L,
        "source",
        1,
        Reason.USER_NOT_CONNECTED.usualError());
  }

  @Test
  void aCountOnlySinkKeepsLettersUntilItsLogLimitThenTakesCounts() {
    LoggingDeadLetterSink sink = new LoggingDeadLetterSink(2);

    assertThat(sink.keeps(Reason.USER_NOT_CONNECTED)).isTrue();
    sink.accept(offline(1));
    sink.accept(offline(2));

    assertThat(sink.keeps(Reason.USER_NOT_CONNECTED)).as("past its log limit").isFalse();
    assertThat(sink.keeps(Reason.SEQUENCE_GAP)).as("other reasons still logged").isTrue();

    sink.countOnly(Reason.USER_NOT_CONNECTED, 1_000);

    assertThat(sink.count(Reason.USER_NOT_CONNECTED)).isEqualTo(1_002);
    assertThat(sink.total()).isEqualTo(1_002);
  }

  @Test
  void inFrontOfAStoreEveryLetterIsKeptAndCountsAreRefused() {
    LoggingDeadLetterSink sink = new LoggingDeadLetterSink(0, new InMemoryDeadLetterSink());

    assertThat(sink.keeps(Reason.USER_NOT_CONNECTED)).isTrue();
    assertThatThrownBy(() -> sink.countOnly(Reason.USER_NOT_CONNECTED, 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
