package io.followermaze.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;

/**
 * One bench user client: connects, sends its id, and checks every line it receives against its
 * {@link ClientLedger}: same sequence number, same bytes, nothing missing, nothing extra. Warm-up
 * broadcasts (numbers up to {@link Verdicts#warmups()}) are checked separately: from the first one
 * received, every later one must arrive, in order.
 */
final class VerifyingClient implements Runnable {

  private static final int MAX_LINE = 4096;

  private final int user;
  private final SocketChannel channel;
  private final ClientLedger ledger;
  private final SendTimes sendTimes;
  private final Verdicts verdicts;
  private final Histogram latencyMicros = new Histogram(3_600_000_000L, 2);
  private final byte[] partial = new byte[MAX_LINE];
  private int partialLength;
  private volatile long firstWarmup;
  private volatile long lastWarmup;
  private volatile long received;
  private volatile long lastReceivedNanos;

  private VerifyingClient(
      int user,
      SocketChannel channel,
      ClientLedger ledger,
      SendTimes sendTimes,
      Verdicts verdicts) {
    this.user = user;
    this.channel = channel;
    this.ledger = ledger;
    this.sendTimes = sendTimes;
    this.verdicts = verdicts;
  }

  static VerifyingClient connect(
      InetSocketAddress server,
      int user,
      ClientLedger ledger,
      SendTimes sendTimes,
      Verdicts verdicts)
      throws IOException {
    SocketChannel channel = SocketChannel.open(server);
    channel.write(ByteBuffer.wrap((user + "\r\n").getBytes(StandardCharsets.US_ASCII)));
    return new VerifyingClient(user, channel, ledger, sendTimes, verdicts);
  }

  @Override
  public void run() {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try {
      while (!verdicts.finished() && channel.read(buffer) >= 0) {
        long now = System.nanoTime();
        scan(buffer.array(), buffer.position(), now);
        buffer.clear();
      }
      if (!verdicts.finished()) {
        verdicts.fail(
            "client " + user + ": the server closed the connection after " + received + " lines");
      }
    } catch (IOException e) {
      if (!verdicts.finished()) {
        verdicts.fail("client " + user + ": " + e.getMessage());
      }
    }
  }

  private void scan(byte[] bytes, int length, long now) {
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (bytes[i] == '\n') {
        if (partialLength > 0) {
          append(bytes, start, i + 1);
          line(partial, 0, partialLength, now);
          partialLength = 0;
        } else {
          line(bytes, start, i + 1, now);
        }
        start = i + 1;
      }
    }
    append(bytes, start, length);
  }

  private void append(byte[] bytes, int from, int to) {
    int n = Math.min(to - from, MAX_LINE - partialLength);
    System.arraycopy(bytes, from, partial, partialLength, n);
    partialLength += n;
  }

  private void line(byte[] bytes, int from, int to, long now) {
    long sequence = leadingNumber(bytes, from, to);
    if (sequence > 0 && sequence <= verdicts.warmups()) {
      warmup(sequence, bytes, from, to);
      return;
    }
    long index = received;
    if (index >= ledger.published()) {
      verdicts.fail(
          "client "
              + user
              + ": unexpected line '"
              + text(bytes, from, to)
              + "' after its "
              + index
              + " expected lines");
      return;
    }
    long expected = ledger.sequence(index);
    if (sequence != expected) {
      String what =
          sequence > expected
              ? "missing sequence " + expected + ", got"
              : "expected sequence " + expected + ", got";
      verdicts.fail(
          "client "
              + user
              + " line #"
              + (index + 1)
              + ": "
              + what
              + " '"
              + text(bytes, from, to)
              + "'");
      return;
    }
    if (LineHash.of(bytes, from, to) != ledger.hash(index)) {
      verdicts.fail(
          "client "
              + user
              + " line #"
              + (index + 1)
              + ": bytes differ from what was sent: '"
              + text(bytes, from, to)
              + "'");
      return;
    }
    long sent = sendTimes.sentAt(sequence);
    if (sent > 0) {
      latencyMicros.recordValue(Math.max(0, Math.min(now - sent, 3_600_000_000_000L)) / 1000);
    }
    lastReceivedNanos = now;
    received = index + 1;
    ledger.consumed(index + 1);
  }

  private void warmup(long sequence, byte[] bytes, int from, int to) {
    String text = new String(bytes, from, to - from, StandardCharsets.UTF_8);
    if (!text.equals(sequence + "|B\n")) {
      verdicts.fail(
          "client "
              + user
              + ": expected warm-up broadcast "
              + sequence
              + ", got '"
              + text.strip()
              + "'");
    } else if (firstWarmup != 0 && sequence != lastWarmup + 1) {
      verdicts.fail(
          "client "
              + user
              + ": warm-up broadcast "
              + (lastWarmup + 1)
              + " missing, got "
              + sequence);
    } else {
      if (firstWarmup == 0) {
        firstWarmup = sequence;
      }
      lastWarmup = sequence;
    }
  }

  private static String text(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.UTF_8).strip();
  }

  private static long leadingNumber(byte[] bytes, int from, int to) {
    long value = 0;
    int i = from;
    for (; i < to && i - from < 18 && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
      value = value * 10 + (bytes[i] - '0');
    }
    return i == from ? -1 : value;
  }

  int user() {
    return user;
  }

  boolean registered() {
    return firstWarmup != 0;
  }

  long lastWarmup() {
    return lastWarmup;
  }

  long received() {
    return received;
  }

  long lastReceivedNanos() {
    return lastReceivedNanos;
  }

  Histogram latency() {
    return latencyMicros;
  }

  void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // The run is over; a failing close changes nothing.
    }
  }
}
