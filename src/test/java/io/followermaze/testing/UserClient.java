package io.followermaze.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A user client over a real socket. A virtual thread reads every line into {@link #lines()} (with
 * its terminator, so byte-exactness can be checked) until the server closes the connection.
 */
public final class UserClient implements AutoCloseable {

  private final Socket socket;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private volatile boolean closedByServer;

  private UserClient(Socket socket) {
    this.socket = socket;
  }

  public static UserClient connect(int port, int user) {
    return connectRaw(port, user + "\r\n");
  }

  static UserClient connectRaw(int port, String idLine) {
    try {
      Socket socket = new Socket("127.0.0.1", port);
      socket.getOutputStream().write(idLine.getBytes(StandardCharsets.UTF_8));
      UserClient client = new UserClient(socket);
      Thread.ofVirtual().start(client::readLoop);
      return client;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void readLoop() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) >= 0; ) {
        line.append((char) c);
        if (c == '\n') {
          lines.add(line.toString());
          line.setLength(0);
        }
      }
    } catch (IOException e) {
      // Closed by the test or reset by the server: either ends the stream.
    }
    closedByServer = true;
  }

  /** Every line received so far, terminators included. */
  public List<String> lines() {
    return new ArrayList<>(lines);
  }

  /** Every line received so far without terminators. */
  public List<String> texts() {
    return lines.stream().map(String::strip).toList();
  }

  /** Waits for at least {@code count} lines and returns all received, without terminators. */
  public List<String> awaitLines(int count) {
    await().atMost(RunningServer.PATIENCE).until(() -> lines.size() >= count);
    return texts();
  }

  /** Waits until the last line received is {@code text} (a sentinel sent after what is checked). */
  public List<String> awaitLastLine(String text) {
    await()
        .atMost(RunningServer.PATIENCE)
        .until(() -> !lines.isEmpty() && lines.get(lines.size() - 1).strip().equals(text));
    return texts();
  }

  /** Waits until the server has closed the connection. */
  public void awaitClosedByServer() {
    await().atMost(RunningServer.PATIENCE).until(() -> closedByServer);
  }

  public boolean closedByServer() {
    return closedByServer;
  }

  /** Closes the connection with a reset instead of an orderly close. */
  public void reset() {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // Fall through to close.
    }
    close();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Test teardown.
    }
  }
}
