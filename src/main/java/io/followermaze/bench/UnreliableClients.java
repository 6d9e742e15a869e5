package io.followermaze.bench;

import io.followermaze.bench.BenchOptions.Unreliable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.collections.LongArrayList;

/**
 * The bench's misbehaving clients, one virtual thread per unreliable user: churners (connect, stay
 * a few milliseconds, hang up, again), stuck clients (never read) and slow clients (one byte a
 * second). Each records the sequence numbers of the non-broadcast lines it receives, which must
 * rise strictly across all its connections. When stopped, each hangs up politely (half-close) and
 * reads what the server still sends until the server closes, so every line the server wrote is
 * counted.
 */
final class UnreliableClients {

  private static final int SLOW_RECEIVE_BUFFER = 4096;
  private static final long DRAIN_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);

  private enum Kind {
    CHURN,
    STUCK,
    SLOW
  }

  private final InetSocketAddress server;
  private final int firstUser;
  private final Unreliable unreliable;
  private final Verdicts verdicts;
  private final long seed;
  private final List<Thread> threads = new ArrayList<>();
  private final LongArrayList[] received;
  private final AtomicLong connections = new AtomicLong();
  private final CountDownLatch stop = new CountDownLatch(1);

  UnreliableClients(
      InetSocketAddress server,
      int firstUser,
      Unreliable unreliable,
      long seed,
      Verdicts verdicts) {
    this.server = server;
    this.firstUser = firstUser;
    this.unreliable = unreliable;
    this.seed = seed;
    this.verdicts = verdicts;
    this.received = new LongArrayList[unreliable.total()];
  }

  void start() {
    for (int i = 0; i < unreliable.total(); i++) {
      Kind kind =
          i < unreliable.churners()
              ? Kind.CHURN
              : i < unreliable.churners() + unreliable.stuck() ? Kind.STUCK : Kind.SLOW;
      int user = firstUser + i;
      LongArrayList log = new LongArrayList();
      received[i] = log;
      threads.add(
          Thread.ofVirtual()
              .name("bench-" + kind.name().toLowerCase() + "-" + user)
              .start(() -> run(kind, user, log)));
    }
  }

  /**
   * Hangs every client up, waits for each to read what the server still had for it, and compares.
   */
  UnreliableOutcome stopAndCompare(Workload workload) throws InterruptedException {
    stop.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    if (workload == null) {
      return UnreliableOutcome.NONE;
    }
    long total = 0;
    Map<Integer, long[]> missing = new LinkedHashMap<>();
    for (int i = 0; i < received.length; i++) {
      int user = firstUser + i;
      LongArrayList got = received[i];
      total += got.size();
      LongArrayList expected = workload.partialExpected(user);
      LongArrayList notGot = new LongArrayList();
      int g = 0;
      for (int e = 0; e < expected.size(); e++) {
        long sequence = expected.getLong(e);
        while (g < got.size() && got.getLong(g) < sequence) {
          verdicts.fail(
              "unreliable user "
                  + user
                  + " received sequence "
                  + got.getLong(g)
                  + ", which was not meant for it");
          g++;
        }
        if (g < got.size() && got.getLong(g) == sequence) {
          g++;
        } else {
          notGot.addLong(sequence);
        }
      }
      if (g < got.size()) {
        verdicts.fail(
            "unreliable user "
                + user
                + " received sequence "
                + got.getLong(g)
                + ", which was not meant for it");
      }
      if (!notGot.isEmpty()) {
        missing.put(user, notGot.toLongArray());
      }
    }
    return new UnreliableOutcome(connections.get(), total, missing);
  }

  private void run(Kind kind, int user, LongArrayList log) {
    SplittableRandom random = new SplittableRandom(seed * 31 + user);
    LineScanner scanner = new LineScanner(user, log);
    try {
      do {
        try (Socket socket = new Socket()) {
          if (kind != Kind.CHURN) {
            socket.setReceiveBufferSize(
                SLOW_RECEIVE_BUFFER); // as on a slow link: the server's writes back up sooner
          }
          socket.connect(server);
          connections.incrementAndGet();
          socket.getOutputStream().write((user + "\r\n").getBytes(StandardCharsets.US_ASCII));
          InputStream in = socket.getInputStream();
          switch (kind) {
            case CHURN -> readFor(socket, in, scanner, 5 + random.nextInt(96));
            case STUCK -> stop.await();
            case SLOW -> readSlowly(socket, in, scanner);
          }
          socket.shutdownOutput();
          drain(socket, in, scanner);
        }
        scanner.connectionEnded();
      } while (kind == Kind.CHURN && stop.getCount() > 0 && verdicts.failure() == null);
    } catch (IOException e) {
      verdicts.fail(
          "unreliable user " + user + " (" + kind.name().toLowerCase() + "): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readFor(Socket socket, InputStream in, LineScanner scanner, long millis)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    byte[] buffer = new byte[8192];
    for (long left = millis;
        left > 0 && stop.getCount() > 0;
        left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
      socket.setSoTimeout((int) Math.max(1, left));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return;
        }
        scanner.scan(buffer, n);
      } catch (SocketTimeoutException e) {
        return;
      }
    }
  }

  private void readSlowly(Socket socket, InputStream in, LineScanner scanner)
      throws IOException, InterruptedException {
    byte[] one = new byte[1];
    socket.setSoTimeout(0);
    while (!stop.await(1, TimeUnit.SECONDS)) {
      if (in.read(one) < 0) {
        return;
      }
      scanner.scan(one, 1);
    }
  }

  private void drain(Socket socket, InputStream in, LineScanner scanner) throws IOException {
    socket.setSoTimeout((int) DRAIN_TIMEOUT_MILLIS);
    byte[] buffer = new byte[64 * 1024];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        scanner.scan(buffer, n);
      }
    } catch (SocketTimeoutException e) {
      throw new IOException(
          "the server did not close the connection within "
              + DRAIN_TIMEOUT_MILLIS / 1000
              + " s of the client hanging up");
    }
  }

  /** Splits a user's stream into lines; checks and records their sequence numbers. */
  private final class LineScanner {
    private final int user;
    private final LongArrayList log;
    private final byte[] line = new byte[4096];
    private int length;

    LineScanner(int user, LongArrayList log) {
      this.user = user;
      this.log = log;
    }

    void scan(byte[] bytes, int count) {
      for (int i = 0; i < count; i++) {
        byte b = bytes[i];
        if (b == '\n') {
          line();
          length = 0;
        } else if (length < line.length) {
          line[length++] = b;
        }
      }
    }

    /** A partial line at a hang-up is not a line: the server counts it as not delivered. */
    void connectionEnded() {
      length = 0;
    }

    private void line() {
      long sequence = 0;
      int i = 0;
      while (i < length && line[i] >= '0' && line[i] <= '9') {
        sequence = sequence * 10 + (line[i++] - '0');
      }
      if (i + 1 < length && line[i] == '|' && line[i + 1] == 'B') {
        return;
      }
      if (i == 0 || (!log.isEmpty() && sequence <= log.getLong(log.size() - 1))) {
        verdicts.fail(
            "unreliable user "
                + user
                + ": line '"
                + new String(line, 0, length, StandardCharsets.UTF_8)
                + "' is out of order or unreadable (last sequence "
                + (log.isEmpty() ? "none" : log.getLong(log.size() - 1))
                + ")");
        return;
      }
      log.addLong(sequence);
    }
  }
}
