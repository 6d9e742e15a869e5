package io.followermaze.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of the line framer and the event parser (Jazzer). In the normal test run
 * it replays the seeds in {@code ParserFuzzTestInputs/}; with {@code JAZZER_FUZZ=1} (as {@code
 * .ci/run} sets for this class) it fuzzes for {@code maxDuration}. For any bytes in any chunking:
 * no exception escapes, every complete line is either an event or a malformed line with a reason,
 * an event's line is byte for byte what was framed, and nothing is framed that was not sent.
 */
class ParserFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void anyBytesInAnyChunkingFrameAndParseWithoutExceptions(FuzzedDataProvider data) {
    int maxLine = 16 + data.consumeInt(0, 200);
    int chunk = 1 + data.consumeInt(0, 64);
    byte[] input = data.consumeRemainingAsBytes();
    List<ParseResult> results = new ArrayList<>();
    LineFramer.Handler handler =
        new LineFramer.Handler() {
          @Override
          public void line(byte[] line) {
            results.add(EventParser.parse(line));
          }

          @Override
          public void malformed(Malformed malformed) {
            results.add(malformed);
          }
        };
    LineFramer framer = new LineFramer(maxLine);
    for (int offset = 0; offset < input.length; offset += chunk) {
      framer.feed(input, offset, Math.min(chunk, input.length - offset), handler);
    }
    framer.endOfStream(handler);

    int newlines = 0;
    for (byte b : input) {
      newlines += b == '\n' ? 1 : 0;
    }
    boolean trailing = input.length > 0 && input[input.length - 1] != '\n';
    assertThat(results).as("one result per line").hasSize(newlines + (trailing ? 1 : 0));
    // Walking the results in order re-reads the input: each is the bytes at its place.
    int at = 0;
    for (ParseResult result : results) {
      byte[] bytes =
          switch (result) {
            case Event event -> {
              assertThat(event.sequence()).isPositive();
              assertThat(event.line()).endsWith((byte) '\n');
              assertThat(EventParser.parse(event.line())).isInstanceOf(Event.class);
              yield event.line();
            }
            case Malformed malformed -> {
              assertThat(malformed.problem()).isNotNull();
              assertThat(malformed.length()).isGreaterThanOrEqualTo(malformed.line().length);
              yield malformed.line();
            }
          };
      long length = result instanceof Malformed m ? m.length() : bytes.length;
      assertThat(Arrays.copyOfRange(input, at, at + bytes.length))
          .as("the bytes of result at input offset %d", at)
          .isEqualTo(bytes);
      at += (int) length;
    }
    assertThat(at).as("every input byte belongs to exactly one result").isEqualTo(input.length);
  }
}
