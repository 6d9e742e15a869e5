package io.followermaze.server;

import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineCommand.SourceChunk;
import io.followermaze.engine.EngineCommand.SourceDisconnected;
import io.followermaze.protocol.EventParser;
import io.followermaze.protocol.LineFramer;
import io.followermaze.protocol.Malformed;
import io.followermaze.protocol.ParseResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one event-source connection: frames and parses each read into one {@link SourceChunk} for
 * the engine. Submitting blocks while the engine's inbox is full, so a busy engine stops the reads
 * and TCP carries the back-pressure to the source. When the connection ends, the engine hears
 * {@link SourceDisconnected} after the last chunk.
 */
final class EventSourceReader implements Runnable, LineFramer.Handler {

  private static final Logger log = LoggerFactory.getLogger(EventSourceReader.class);
  private static final int READ_BUFFER_BYTES = 64 * 1024;

  private final SocketChannel channel;
  private final String origin;
  private final Engine engine;
  private final LineFramer framer;
  private ParseResult[] items;
  private int count;
  private long lines;

  EventSourceReader(SocketChannel channel, String origin, Engine engine, int maxLineLength) {
    this.channel = channel;
    this.origin = origin;
    this.engine = engine;
    this.framer = new LineFramer(maxLineLength);
  }

  @Override
  public void run() {
    ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    String ending = "closed the connection";
    try {
      for (int read; (read = channel.read(buffer)) >= 0; buffer.clear()) {
        items = new ParseResult[read / 8 + 16];
        framer.feed(buffer.array(), 0, read, this);
        submit();
      }
    } catch (IOException e) {
      ending = channel.isOpen() ? "failed: " + e.getMessage() : "was closed by the server";
    } finally {
      items = new ParseResult[1];
      framer.endOfStream(this);
      submit();
      engine.submit(new SourceDisconnected(origin));
      Connections.closeQuietly(channel);
      log.info("event source {} {} after {} lines", origin, ending, lines);
    }
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

  private void submit() {
    if (count > 0) {
      engine.submit(new SourceChunk(items, count, origin));
      count = 0;
    }
  }
}
