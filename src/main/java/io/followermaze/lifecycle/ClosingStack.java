package io.followermaze.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command has opened, closed in reverse order: the one path out, whether start-up failed
 * halfway or the process is stopping. A part that fails to close is logged and the rest still
 * close.
 */
final class ClosingStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClosingStack.class);

  private record Part(String name, AutoCloseable closeable) {}

  private final Deque<Part> parts = new ArrayDeque<>();
  private boolean clean = true;

  /** Remembers {@code part} (named for logs), to be closed before everything pushed earlier. */
  synchronized <T extends AutoCloseable> T push(String name, T part) {
    if (part != null) {
      parts.push(new Part(name, part));
    }
    return part;
  }

  /** Closes every part, the last pushed first; {@link #clean} says whether all closed. */
  @Override
  public synchronized void close() {
    while (!parts.isEmpty()) {
      Part part = parts.pop();
      try {
        part.closeable().close();
      } catch (Exception e) {
        clean = false;
        log.error("closing {} failed: {}", part.name(), e.toString(), e);
      }
    }
  }

  /** Whether every part closed without an error. */
  synchronized boolean clean() {
    return clean;
  }
}
