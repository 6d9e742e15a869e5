package io.followermaze.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A user client of a chaos cycle over a real socket: it records every line it receives (an
 * unterminated tail is recorded too, so that a torn line is seen), can stop reading for a while (a
 * slow reader), and leaves cleanly: it half-closes and reads on until the server closes, so that
 * every byte the server wrote is read and nothing is lost in its receive buffer.
 */
final class ChaosClient implements AutoCloseable {

  final int user;
  private final Socket socket;
  private final List<String> lines = new ArrayList<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile long pauseAfterLines = Long.MAX_VALUE;
  private volatile long pauseMillis;
  private String tail = "";

  private ChaosClient(int user, Socket socket) {
    this.user = user;
    this.socket = socket;
  }

  /** Connects as {@code user}; with {@code pauseMillis} > 0 it stops reading that long once. */
  static ChaosClient connect(int port, int user, long pauseAfterLines, long pauseMillis) {
    try {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(16 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.getOutputStream().write((user + "\r\n").getBytes(StandardCharsets.US_ASCII));
      ChaosClient client = new ChaosClient(user, socket);
      client.pauseAfterLines = pauseMillis > 0 ? pauseAfterLines : Long.MAX_VALUE;
      client.pauseMillis = pauseMillis;
      Thread.ofVirtual().name("chaos-client-" + user).start(client::read);
      return client;
    } catch (IOException e) {
      throw new UncheckedIOException("user " + user + " cannot connect", e);
    }
  }

  private void read() {
    byte[] buffer = new byte[8192];
    StringBuilder line = new StringBuilder();
    long received = 0;
    try (InputStream in = socket.getInputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            synchronized (this) {
              lines.add(line.toString());
            }
            line.setLength(0);
            received++;
          } else {
            line.append((char) buffer[i]);
          }
        }
        if (received >= pauseAfterLines) {
          pauseAfterLines = Long.MAX_VALUE;
          Thread.sleep(pauseMillis);
        }
      }
    } catch (IOException | InterruptedException e) {
      // Reset by the server or closed by the campaign: either ends what this client gets.
    } finally {
      synchronized (this) {
        tail = line.toString();
      }
      ended.countDown();
    }
  }

  /** Half-closes: the server sees the end of the stream and ends the session. */
  void leave() {
    try {
      socket.shutdownOutput();
    } catch (IOException ignored) {
      // Already gone: the session has ended anyway.
    }
  }

  /** Waits until the server closed the connection; false if it did not within the time. */
  boolean awaitEnd(long millis) throws InterruptedException {
    return ended.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Every complete line received, without its LF. */
  synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  /** Bytes received after the last LF (a torn line), normally empty. */
  synchronized String tail() {
    return tail;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing more to read.
    }
  }
}
