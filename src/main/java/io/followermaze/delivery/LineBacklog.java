package io.followermaze.delivery;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A client's backlog on the engine's side of its ring: notification lines copied back to back into
 * chunks, first in first out, so a burst costs its bytes (~16 per follow line) and no object per
 * notification. Chunks go to the writer whole and never exceed {@code maxChunk} bytes (the write
 * buffer), so any chunk fits one write; a new chunk starts at about the size of the last, since a
 * client's batches come in similar sizes. Engine thread only.
 */
final class LineBacklog {

  private static final int FIRST_CHUNK = 512;

  private final int maxChunk;
  private final ArrayDeque<byte[]> sealed = new ArrayDeque<>();
  private byte[] open;
  private int used;

  /** The size a new open chunk starts at: what the last one held, with room to spare. */
  private int nextChunk = FIRST_CHUNK;

  private long bytes;

  /** A backlog whose chunks hold at most {@code maxChunk} bytes (at least one line's worth). */
  LineBacklog(int maxChunk) {
    this.maxChunk = maxChunk;
  }

  /** Appends {@code line}. */
  void add(byte[] line) {
    if (open == null || used + line.length > open.length) {
      grow(line.length);
    }
    System.arraycopy(line, 0, open, used, line.length);
    used += line.length;
    bytes += line.length;
  }

  /** The oldest chunk (closing the open one if it is all there is), or null when empty. */
  byte[] peek() {
    if (sealed.isEmpty()) {
      seal();
    }
    return sealed.peekFirst();
  }

  /** Removes the chunk {@link #peek} returned. */
  void remove() {
    bytes -= sealed.removeFirst().length;
  }

  boolean isEmpty() {
    return bytes == 0;
  }

  /** Bytes held. */
  long bytes() {
    return bytes;
  }

  /** The open chunk doubles while it is small, so a few lines do not hold a whole write buffer. */
  private void grow(int needed) {
    if (open != null && used + needed <= maxChunk) {
      open = Arrays.copyOf(open, Math.min(maxChunk, Math.max(open.length * 2, used + needed)));
      return;
    }
    seal();
    open = new byte[Math.min(maxChunk, Math.max(nextChunk, needed))];
    if (open.length < needed) {
      open = new byte[needed]; // a line longer than a chunk still travels whole
    }
  }

  private void seal() {
    if (open != null && used > 0) {
      sealed.addLast(used == open.length ? open : Arrays.copyOf(open, used));
      nextChunk = Math.max(FIRST_CHUNK, used + (used >> 1)); // batches come in similar sizes
    }
    open = null;
    used = 0;
  }
}
