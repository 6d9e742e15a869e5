package io.followermaze.engine;

import io.followermaze.engine.EngineCommand.SourceChunk;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.LineFramer;
import io.followermaze.protocol.Malformed;
import io.followermaze.protocol.ParseResult;
import java.util.Arrays;

/**
 * Frames and parses the raw bytes of one ordered stream into {@link SourceChunk}s for the engine:
 * the shared front end of the event-source reader (a socket) and a gateway's feed (the event log).
 * One per stream; not thread-safe.
 */
public final class SourceChunker implements LineFramer.Handler {

  private final LineFramer framer;
  private final String origin;
  private ParseResult[] items;
  private int count;
  private long lines;

  /** A chunker for lines of at most {@code maxLineLength} bytes from {@code origin}. */
  public SourceChunker(String origin, int maxLineLength) {
    this.origin = origin;
    this.framer = new LineFramer(maxLineLength);
  }

  /**
   * Frames {@code bytes[0, length)}; returns the lines it completed as one chunk ({@code replay} as
   * given), or null when it completed none.
   */
  public SourceChunk chunk(byte[] bytes, int length, boolean replay) {
    items = new ParseResult[length / 8 + 16];
    framer.feed(bytes, 0, length, this);
    return take(replay);
  }

  /**
   * The stream has ended: what was left unterminated, as a chunk of one malformed line, or null.
   */
  public SourceChunk end() {
    items = new ParseResult[1];
    framer.endOfStream(this);
    return take(false);
  }

  /** Lines framed so far, malformed ones included. */
  public long lines() {
    return lines;
  }

  @Override
  public void line(byte[] line) {
    add(EventParser.parse(line));
  }

  @Override
  public void malformed(Malformed malformed) {
    add(malformed);
  }

  private void add(ParseResult item) {
    if (count == items.length) {
      items = Arrays.copyOf(items, count * 2);
    }
    items[count++] = item;
    lines++;
  }

  private SourceChunk take(boolean replay) {
    if (count == 0) {
      return null;
    }
    SourceChunk chunk = new SourceChunk(items, count, origin, replay);
    count = 0;
    return chunk;
  }
}
