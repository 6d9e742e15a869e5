package io.followermaze.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineFramerTest {

  private final List<String> lines = new ArrayList<>();
  private final List<Malformed> malformed = new ArrayList<>();
  private final LineFramer.Handler handler =
      new LineFramer.Handler() {
        @Override
        public void line(byte[] line) {
          lines.add(new String(line, StandardCharsets.UTF_8));
        }

        @Override
        public void malformed(Malformed m) {
          malformed.add(m);
        }
      };

  private void feed(LineFramer framer, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    framer.feed(bytes, 0, bytes.length, handler);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void cutsTheSameLinesWhateverTheChunkBoundaries(long seed) {
    Random random = new Random(seed);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 500; i++) {
      String line =
          i
              + "|P|"
              + random.nextInt(1000)
              + "|"
              + random.nextInt(1000)
              + (random.nextBoolean() ? "\r\n" : "\n");
      expected.add(line);
      stream.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
    }
    byte[] all = stream.toByteArray();
    LineFramer framer = new LineFramer(64);
    for (int at = 0; at < all.length; ) {
      int n = Math.min(all.length - at, 1 + random.nextInt(40));
      framer.feed(all, at, n, handler);
      at += n;
    }
    framer.endOfStream(handler);
    assertThat(lines).containsExactlyElementsOf(expected);
    assertThat(malformed).isEmpty();
  }

  @Test
  void skipsAnOverlongLineToTheNextLineFeedKeepingItsHeadAndLength() {
    LineFramer framer = new LineFramer(16);
    feed(framer, "1|B\n77|S|" + "9".repeat(30));
    feed(framer, "9".repeat(30) + "\n2|B\n");
    assertThat(lines).containsExactly("1|B\n", "2|B\n");
    assertThat(malformed)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.problem()).isEqualTo(Malformation.LINE_TOO_LONG);
              assertThat(m.length()).as("5 + 30 + 30 bytes and the LF").isEqualTo(66);
              assertThat(m.line()).hasSize(16);
              assertThat(m.sequence()).isEqualTo(77);
            });
  }

  @Test
  void anOverlongLineInOneChunkIsCaughtToo() {
    LineFramer framer = new LineFramer(16);
    feed(framer, "x".repeat(40) + "\n3|B\n");
    assertThat(lines).containsExactly("3|B\n");
    assertThat(malformed).singleElement().satisfies(m -> assertThat(m.length()).isEqualTo(41));
  }

  @Test
  void aLineExactlyAtTheLimitPassesWithCrlf() {
    LineFramer framer = new LineFramer(8);
    feed(framer, "12345678\r");
    feed(framer, "\n");
    assertThat(lines).containsExactly("12345678\r\n");
    assertThat(malformed).isEmpty();
  }

  @Test
  void reportsAnUnterminatedLastLineAsTruncatedNeverAsAnEvent() {
    LineFramer framer = new LineFramer(64);
    feed(framer, "1|B\n12|P|3|4");
    framer.endOfStream(handler);
    assertThat(lines).containsExactly("1|B\n");
    assertThat(malformed)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.problem()).isEqualTo(Malformation.TRUNCATED);
              assertThat(m.sequence()).isEqualTo(12);
              assertThat(new String(m.line(), StandardCharsets.US_ASCII)).isEqualTo("12|P|3|4");
            });
  }

  @Test
  void keepsEmptyLinesForTheParserToReject() {
    LineFramer framer = new LineFramer(64);
    feed(framer, "\n\r\n1|B\n");
    assertThat(lines).containsExactly("\n", "\r\n", "1|B\n");
  }
}
