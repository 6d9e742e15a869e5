package io.followermaze.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.followermaze.protocol.Event;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.EventType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeadLetterBlockTest {

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyFieldOfEveryKindOfLetterSurvivesTheRoundTrip() {
    byte[] invalidUtf8 = {'1', '|', (byte) 0xff, (byte) 0xfe, '\n'};
    List<DeadLetter> letters =
        List.of(
            new DeadLetter(
                Reason.USER_NOT_CONNECTED,
                bytes("7|P|1|2\n"),
                8,
                7,
                2,
                EventType.PRIVATE_MESSAGE,
                1_700_000_000_000L,
                "source#1 127.0.0.1:5000",
                1,
                Reason.USER_NOT_CONNECTED.usualError()),
            new DeadLetter(
                Reason.INVALID_UTF8,
                invalidUtf8,
                invalidUtf8.length,
                1,
                DeadLetter.NONE,
                null,
                1_699_999_999_000L,
                "source#1 127.0.0.1:5000",
                1,
                "bytes 2..3 are not UTF-8"),
            new DeadLetter(
                Reason.LINE_TOO_LONG,
                bytes("123456"),
                2_000_000,
                DeadLetter.NONE,
                DeadLetter.NONE,
                null,
                1_700_000_000_500L,
                "source#2 [::1]:6000",
                1,
                "line of 2000000 bytes cut to 6"),
            new DeadLetter(
                Reason.SEQUENCE_GAP,
                new byte[0],
                0,
                42,
                DeadLetter.NONE,
                null,
                1_700_000_000_001L,
                "source#2 [::1]:6000",
                1,
                "sequences 42..44 skipped (timeout)"),
            new DeadLetter(
                Reason.CLIENT_TOO_SLOW,
                bytes("9|S|3\n"),
                6,
                Long.MAX_VALUE,
                Integer.MAX_VALUE,
                EventType.STATUS_UPDATE,
                0,
                "client#9 user 3",
                3,
                "client buffer full (32768 notifications waiting)"),
            new DeadLetter(
                Reason.USER_NOT_CONNECTED,
                bytes("8|F|1|2\n"),
                8,
                8,
                2,
                EventType.FOLLOW,
                1_700_000_000_000L,
                "source#1 127.0.0.1:5000",
                1,
                Reason.USER_NOT_CONNECTED.usualError()));

    DeadLetterBlock block = DeadLetterBlock.of(letters);

    assertThat(block.size()).isEqualTo(6);
    assertThat(block.count(Reason.USER_NOT_CONNECTED)).isEqualTo(2);
    assertThat(block.count(Reason.SEQUENCE_GAP)).isEqualTo(1);
    assertThat(block.count(Reason.EMPTY_LINE)).isZero();
    List<DeadLetter> decoded = DeadLetterBlock.decode(block.data());
    assertThat(decoded).hasSize(letters.size());
    for (int i = 0; i < letters.size(); i++) {
      DeadLetter expected = letters.get(i);
      DeadLetter actual = decoded.get(i);
      assertThat(actual).usingRecursiveComparison().ignoringFields("payload").isEqualTo(expected);
      assertThat(actual.payload()).isEqualTo(expected.payload());
    }
  }

  @Test
  void anEventIsStoredOnceAndEachFurtherOfflineRecipientCostsAVarint() {
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
    Event event = (Event) EventParser.parse(bytes("1234567|S|321\n"));
    for (int recipient = 100; recipient < 1_100; recipient++) {
      writer.undeliverable(
          Reason.USER_NOT_CONNECTED, event, recipient, "source#1", 1_700_000_000_000L);
    }
    DeadLetterBlock block = writer.take();

    assertThat(block.size()).isEqualTo(1_000);
    assertThat(block.entries())
        .singleElement()
        .satisfies(entry -> assertThat(entry.recipients()).hasSize(1_000));
    assertThat(block.bytes())
        .as("payload once, then ~2 bytes per recipient")
        .isLessThan(event.line().length + 64 + 2 * 1_000);
    assertThat(block.letters())
        .extracting(DeadLetter::recipient)
        .startsWith(100, 101)
        .endsWith(1_099);
    assertThat(block.letters())
        .allSatisfy(
            letter -> {
              assertThat(letter.sequence()).isEqualTo(1234567);
              assertThat(letter.type()).isEqualTo(EventType.STATUS_UPDATE);
              assertThat(letter.error()).isEqualTo(Reason.USER_NOT_CONNECTED.usualError());
            });
  }

  @Test
  void aNewEventReasonOrOriginStartsANewEntry() {
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
    Event first = (Event) EventParser.parse(bytes("1|S|5\n"));
    Event second = (Event) EventParser.parse(bytes("2|S|5\n"));
    writer.undeliverable(Reason.USER_NOT_CONNECTED, first, 1, "a", 1);
    writer.undeliverable(Reason.USER_NOT_CONNECTED, first, 2, "a", 1);
    writer.undeliverable(Reason.USER_NOT_CONNECTED, second, 1, "a", 1);
    writer.undeliverable(Reason.CLIENT_TOO_SLOW, second, 3, "a", 1);
    writer.undeliverable(Reason.CLIENT_TOO_SLOW, second, 4, "b", 1);
    writer.add(DeadLetter.gap(9, "a", 2, "gap"));

    assertThat(writer.take().entries())
        .extracting(
            e ->
                e.sequence()
                    + ":"
                    + e.reason()
                    + ":"
                    + e.origin()
                    + ":"
                    + java.util.Arrays.toString(e.recipients()))
        .containsExactly(
            "1:USER_NOT_CONNECTED:a:[1, 2]",
            "2:USER_NOT_CONNECTED:a:[1]",
            "2:CLIENT_TOO_SLOW:a:[3]",
            "2:CLIENT_TOO_SLOW:b:[4]",
            "9:SEQUENCE_GAP:a:[]");
  }

  @Test
  void aWriterStartsEachBlockAfreshAndAnEmptyBlockDecodesToNothing() {
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
    writer.add(DeadLetter.gap(5, "a", 10, "gap"));
    DeadLetterBlock first = writer.take();
    writer.add(DeadLetter.gap(6, "b", 20, "gap"));
    DeadLetterBlock second = writer.take();

    assertThat(first.letters())
        .extracting(DeadLetter::sequence, DeadLetter::origin)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(5L, "a"));
    assertThat(second.letters())
        .extracting(DeadLetter::sequence, DeadLetter::origin)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(6L, "b"));
    assertThat(writer.take().letters()).isEmpty();
  }

  @Test
  void corruptOrTruncatedDataIsRefusedWithAClearErrorNeverMisread() {
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
    Event event = (Event) EventParser.parse(bytes("1|B\n"));
    for (int i = 0; i < 50; i++) {
      writer.undeliverable(Reason.USER_NOT_CONNECTED, event, i, "source", 1);
    }
    byte[] data = writer.take().data();
    Random random = new Random(7);
    List<byte[]> damaged = new ArrayList<>();
    damaged.add(new byte[0]);
    damaged.add(Arrays.copyOf(data, data.length - 1));
    damaged.add(Arrays.copyOfRange(data, 1, data.length));
    for (int i = 0; i < 200; i++) {
      byte[] copy = data.clone();
      copy[random.nextInt(copy.length)] ^= (byte) (1 + random.nextInt(255));
      damaged.add(copy);
    }
    for (byte[] bad : damaged) {
      try {
        List<DeadLetter> letters = DeadLetterBlock.decode(bad);
        // A flipped payload byte still decodes; the structure must then be intact.
        assertThat(letters).hasSize(50);
      } catch (IllegalArgumentException expected) {
        assertThat(expected).hasMessageContaining("dead-letter block");
      }
    }
    assertThatThrownBy(() -> DeadLetterBlock.decode(new byte[20]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theReaderYieldsEachEntryAndItsRecipientsAndChecksTheBlockWhenAnEntryIsSkipped() {
    DeadLetterBlockWriter writer = new DeadLetterBlockWriter();
    Event status = (Event) EventParser.parse(bytes("5|S|9\n"));
    Event message = (Event) EventParser.parse(bytes("6|P|9|4\n"));
    for (int recipient : new int[] {3, 0, Integer.MAX_VALUE}) {
      writer.undeliverable(Reason.USER_NOT_CONNECTED, status, recipient, "source", 1);
    }
    writer.add(DeadLetter.gap(4, "source", 2, "sequence 4 skipped"));
    writer.undeliverable(Reason.USER_NOT_CONNECTED, message, 4, "source", 3);
    byte[] data = writer.take().data();

    DeadLetterBlockReader reader = new DeadLetterBlockReader(data);
    DeadLetterBlock.Entry first = reader.nextEntry();
    List<Integer> recipients = new ArrayList<>();
    for (int user; (user = reader.nextRecipient()) >= 0; ) {
      recipients.add(user);
    }
    DeadLetterBlock.Entry gap = reader.nextEntry();
    int gapRecipient = reader.nextRecipient();
    DeadLetterBlock.Entry third = reader.nextEntry(); // its recipient left unread
    DeadLetterBlock.Entry end = reader.nextEntry();

    assertThat(first.sequence()).isEqualTo(5);
    assertThat(recipients).containsExactly(3, 0, Integer.MAX_VALUE);
    assertThat(gap.reason()).isEqualTo(Reason.SEQUENCE_GAP);
    assertThat(gapRecipient).as("a letter with no recipient").isEqualTo(-1);
    assertThat(third.sequence()).isEqualTo(6);
    assertThat(end).isNull();

    byte[] miscounted = data.clone();
    int trailer = java.nio.ByteBuffer.wrap(data, data.length - 4, 4).getInt();
    miscounted[trailer + 1]++; // the trailer's letter count (after the entry count), one too many
    assertThatThrownBy(
            () -> {
              DeadLetterBlockReader bad = new DeadLetterBlockReader(miscounted);
              while (bad.nextEntry() != null) {
                // skip every recipient: the reader still checks the block whole
              }
            })
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dead-letter block");
  }
}
