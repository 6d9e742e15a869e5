package io.followermaze.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.followermaze.dlq.DeadLetter;
import io.followermaze.dlq.Reason;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.Malformed;
import io.followermaze.testing.EventSource;
import io.followermaze.testing.RunningServer;
import io.followermaze.testing.UserClient;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random byte soup mixed with valid events, cut into random chunks, over a real socket: no
 * exception escapes the server, every bad line is exactly one malformed dead letter, and every
 * valid event is delivered in order.
 */
class ByteSoupIT {

  private static final byte[] ALPHABET = "0123456789|||FUBPS \r\t-+xyz".getBytes();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void garbageNeverBreaksDeliveryAndEveryBadLineIsADeadLetter(long seed) {
    Random random = new Random(seed);
    int events = 3_000;
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    int garbage = 0;
    List<Long> order = new ArrayList<>();
    for (long s = 1; s <= events; s++) {
      order.add(s);
    }
    java.util.Collections.shuffle(order, random);
    for (long s : order) {
      while (random.nextInt(3) == 0) {
        stream.writeBytes(garbageLine(random));
        garbage++;
      }
      stream.writeBytes((s + (random.nextBoolean() ? "|B\n" : "|B\r\n")).getBytes());
    }
    byte[] all = stream.toByteArray();

    try (RunningServer server = RunningServer.start()) {
      UserClient client = server.client(1);
      try (EventSource source = server.source()) {
        for (int at = 0; at < all.length; ) {
          int n = Math.min(all.length - at, 1 + random.nextInt(3000));
          source.sendRaw(Arrays.copyOfRange(all, at, at + n));
          at += n;
        }
      }
      List<String> received = client.awaitLines(events);
      for (int i = 0; i < events; i++) {
        assertThat(received.get(i)).isEqualTo((i + 1) + "|B");
      }
      int expectedGarbage = garbage;
      await().until(() -> server.deadLetters().size() >= expectedGarbage);
      List<DeadLetter> letters = server.deadLetters();
      assertThat(letters)
          .hasSize(garbage)
          .allSatisfy(l -> assertThat(l.reason().category()).isEqualTo(Reason.Category.MALFORMED));
      assertThat(server.server().stats().processingErrors()).isZero();
      assertThat(server.server().stats().linesMalformed()).isEqualTo(garbage);
    }
  }

  /** A line of random bytes (never a valid event, never an LF inside), ending in LF. */
  private static byte[] garbageLine(Random random) {
    while (true) {
      int length = random.nextInt(10) == 0 ? 1000 + random.nextInt(2000) : random.nextInt(24);
      byte[] line = new byte[length + 1];
      for (int i = 0; i < length; i++) {
        line[i] =
            random.nextInt(8) == 0
                ? (byte) (0x80 + random.nextInt(0x7f))
                : ALPHABET[random.nextInt(ALPHABET.length)];
      }
      line[length] = '\n';
      if (EventParser.parse(line) instanceof Malformed) {
        return line;
      }
    }
  }
}
