package io.followermaze.protocol;

import java.util.Arrays;

/**
 * Cuts a byte stream into LF-terminated lines, in bounded memory.
 *
 * <p>A line longer than the limit does not grow any buffer: its first bytes are kept, the rest is
 * skipped up to the next LF, and the handler hears one {@link Malformation#LINE_TOO_LONG} with the
 * full length. Bytes left without a terminator when the stream ends are reported as {@link
 * Malformation#TRUNCATED}: a cut line is never guessed into an event. One instance per connection;
 * not thread-safe.
 */
public final class LineFramer {

  /** Receives what the framer cuts out of the stream, in stream order. */
  public interface Handler {
    /** A complete line, terminator included; the array is the handler's to keep. */
    void line(byte[] line);

    /** A line that could not be framed (too long, or cut off by the end of the stream). */
    void malformed(Malformed malformed);
  }

  private final int maxLineLength;
  private final byte[] pending;
  private int pendingLength;
  private boolean discarding;
  private long discardedLength;
  private byte[] discardedHead;

  /** A framer for lines of at most {@code maxLineLength} bytes, not counting LF or CRLF. */
  public LineFramer(int maxLineLength) {
    if (maxLineLength < 1) {
      throw new IllegalArgumentException("maxLineLength must be at least 1, was " + maxLineLength);
    }
    this.maxLineLength = maxLineLength;
    this.pending = new byte[maxLineLength + 1];
  }

  /** Frames {@code bytes[offset, offset + length)}, calling the handler for each finished line. */
  public void feed(byte[] bytes, int offset, int length, Handler handler) {
    int i = offset;
    int limit = offset + length;
    while (i < limit) {
      int lf = indexOfLineFeed(bytes, i, limit);
      if (lf < 0) {
        keepPartial(bytes, i, limit - i);
        return;
      }
      finishLine(bytes, i, lf + 1 - i, handler);
      i = lf + 1;
    }
  }

  /** Reports whatever is left of an unterminated line once the stream has ended. */
  public void endOfStream(Handler handler) {
    if (discarding) {
      handler.malformed(tooLong(discardedHead, discardedLength, " (stream ended mid-line)"));
    } else if (pendingLength > 0) {
      byte[] line = Arrays.copyOf(pending, pendingLength);
      long sequence = EventParser.leadingSequence(line, line.length);
      handler.malformed(
          new Malformed(
              Malformation.TRUNCATED, sequence, line, line.length, "stream ended mid-line"));
    }
    reset();
  }

  private void finishLine(byte[] bytes, int from, int length, Handler handler) {
    if (discarding) {
      long total = discardedLength + length;
      byte[] head = discardedHead;
      reset();
      handler.malformed(tooLong(head, total, ""));
      return;
    }
    int total = pendingLength + length;
    int content = total - 1 - (endsWithCarriageReturn(bytes, from, length) ? 1 : 0);
    if (content > maxLineLength) {
      byte[] head = new byte[maxLineLength];
      int fromPending = Math.min(pendingLength, maxLineLength);
      System.arraycopy(pending, 0, head, 0, fromPending);
      System.arraycopy(bytes, from, head, fromPending, maxLineLength - fromPending);
      reset();
      handler.malformed(tooLong(head, total, ""));
      return;
    }
    byte[] line = new byte[total];
    System.arraycopy(pending, 0, line, 0, pendingLength);
    System.arraycopy(bytes, from, line, pendingLength, length);
    pendingLength = 0;
    handler.line(line);
  }

  private boolean endsWithCarriageReturn(byte[] bytes, int from, int length) {
    if (length >= 2) {
      return bytes[from + length - 2] == '\r';
    }
    return pendingLength > 0 && pending[pendingLength - 1] == '\r';
  }

  private void keepPartial(byte[] bytes, int from, int length) {
    if (discarding) {
      discardedLength += length;
      return;
    }
    if (pendingLength + length <= pending.length) {
      System.arraycopy(bytes, from, pending, pendingLength, length);
      pendingLength += length;
      return;
    }
    discardedHead = new byte[maxLineLength];
    int fromPending = Math.min(pendingLength, maxLineLength);
    System.arraycopy(pending, 0, discardedHead, 0, fromPending);
    System.arraycopy(bytes, from, discardedHead, fromPending, maxLineLength - fromPending);
    discardedLength = (long) pendingLength + length;
    discarding = true;
    pendingLength = 0;
  }

  private Malformed tooLong(byte[] head, long length, String suffix) {
    long sequence = EventParser.leadingSequence(head, head.length);
    String detail = "line of " + length + " bytes exceeds the limit of " + maxLineLength + suffix;
    return new Malformed(Malformation.LINE_TOO_LONG, sequence, head, length, detail);
  }

  private void reset() {
    pendingLength = 0;
    discarding = false;
    discardedLength = 0;
    discardedHead = null;
  }

  private static int indexOfLineFeed(byte[] bytes, int from, int limit) {
    for (int i = from; i < limit; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
