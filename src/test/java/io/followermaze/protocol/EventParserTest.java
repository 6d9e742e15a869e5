package io.followermaze.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.followermaze.protocol.Event.Broadcast;
import io.followermaze.protocol.Event.Follow;
import io.followermaze.protocol.Event.PrivateMessage;
import io.followermaze.protocol.Event.StatusUpdate;
import io.followermaze.protocol.Event.Unfollow;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventParserTest {

  private static ParseResult parse(String line) {
    return EventParser.parse(line.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesEachEventTypeWithItsFields() {
    assertThat(parse("666|F|60|50\n"))
        .isInstanceOfSatisfying(
            Follow.class,
            f -> {
              assertThat(f.sequence()).isEqualTo(666);
              assertThat(f.from()).isEqualTo(60);
              assertThat(f.to()).isEqualTo(50);
            });
    assertThat(parse("1|U|12|9\n"))
        .isInstanceOfSatisfying(Unfollow.class, u -> assertThat(u.to()).isEqualTo(9));
    assertThat(parse("542532|B\n"))
        .isInstanceOfSatisfying(Broadcast.class, b -> assertThat(b.sequence()).isEqualTo(542532));
    assertThat(parse("43|P|32|56\n"))
        .isInstanceOfSatisfying(PrivateMessage.class, p -> assertThat(p.to()).isEqualTo(56));
    assertThat(parse("634|S|32\n"))
        .isInstanceOfSatisfying(StatusUpdate.class, s -> assertThat(s.from()).isEqualTo(32));
  }

  @Test
  void keepsTheExactBytesIncludingACrlfTerminator() {
    byte[] line = "7|P|1|2\r\n".getBytes(StandardCharsets.US_ASCII);
    Event event = (Event) EventParser.parse(line);
    assertThat(event.line()).isSameAs(line);
    assertThat(event.sequence()).isEqualTo(7);
  }

  @Test
  void acceptsALineWithoutTerminator() {
    assertThat(parse("9|B")).isInstanceOf(Broadcast.class);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" is {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "'';EMPTY_LINE;0",
        "'\r';EMPTY_LINE;0",
        "abc|B;BAD_SEQUENCE;0",
        "0|B;BAD_SEQUENCE;0",
        "-3|B;BAD_SEQUENCE;0",
        "+3|B;BAD_SEQUENCE;0",
        "' 3|B';BAD_SEQUENCE;0",
        "1234567890123456789|B;BAD_SEQUENCE;0",
        "|B;BAD_SEQUENCE;0",
        "5;WRONG_FIELD_COUNT;5",
        "5|X|1|2;UNKNOWN_TYPE;5",
        "5|FF|1|2;UNKNOWN_TYPE;5",
        "5||1|2;UNKNOWN_TYPE;5",
        "5|F|1;WRONG_FIELD_COUNT;5",
        "5|F|1|2|3;WRONG_FIELD_COUNT;5",
        "5|B|1;WRONG_FIELD_COUNT;5",
        "5|S;WRONG_FIELD_COUNT;5",
        "5|S|1|2;WRONG_FIELD_COUNT;5",
        "5|P|a|2;BAD_USER_ID;5",
        "5|P|1|;BAD_USER_ID;5",
        "'5|P|1|2 ';BAD_USER_ID;5",
        "5|S|99999999999;BAD_USER_ID;5",
        "5|S|-1;BAD_USER_ID;5",
        "5|F|1|2|||||;WRONG_FIELD_COUNT;5"
      })
  void rejectsEveryKindOfBadLine(String line, Malformation problem, long sequence) {
    ParseResult result = parse(line + "\n");
    assertThat(result)
        .isInstanceOfSatisfying(
            Malformed.class,
            m -> {
              assertThat(m.problem()).isEqualTo(problem);
              assertThat(m.sequence()).isEqualTo(sequence);
              assertThat(m.detail()).isNotBlank();
            });
  }

  @Test
  void reportsInvalidUtf8WithTheSequenceWhenReadable() {
    byte[] line = {'8', '|', 'S', '|', (byte) 0xC3, (byte) 0x28, '\n'};
    assertThat(EventParser.parse(line))
        .isInstanceOfSatisfying(
            Malformed.class,
            m -> {
              assertThat(m.problem()).isEqualTo(Malformation.INVALID_UTF8);
              assertThat(m.sequence()).isEqualTo(8);
              assertThat(m.line()).isSameAs(line);
            });
  }

  @Test
  void validUtf8ThatIsNotANumberIsABadUserIdNotAnEncodingError() {
    assertThat(parse("8|S|ü\n"))
        .isInstanceOfSatisfying(
            Malformed.class, m -> assertThat(m.problem()).isEqualTo(Malformation.BAD_USER_ID));
  }

  @Test
  void acceptsTheLargestIds() {
    assertThat(parse("999999999999999999|P|2147483647|0\n"))
        .isInstanceOfSatisfying(
            PrivateMessage.class,
            p -> {
              assertThat(p.sequence()).isEqualTo(999_999_999_999_999_999L);
              assertThat(p.from()).isEqualTo(Integer.MAX_VALUE);
            });
    assertThat(parse("1|S|2147483648\n")).isInstanceOf(Malformed.class);
  }
}
