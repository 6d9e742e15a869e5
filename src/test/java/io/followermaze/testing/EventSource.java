package io.followermaze.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A scripted event source: writes lines (LF added) or raw bytes to the server. */
public final class EventSource implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;

  public EventSource(int port) throws IOException {
    this.socket = new Socket("127.0.0.1", port);
    this.out = socket.getOutputStream();
  }

  /** Sends each line followed by LF, in one write. */
  public EventSource send(String... lines) {
    StringBuilder text = new StringBuilder();
    for (String line : lines) {
      text.append(line).append('\n');
    }
    return sendRaw(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  public EventSource sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads what the server says to this source (an ERROR line when it is refused), until EOF. */
  public String readAll() {
    try {
      socket.setSoTimeout((int) RunningServer.PATIENCE.toMillis());
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
