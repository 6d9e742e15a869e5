package io.followermaze.server;

import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineCommand.SourceChunk;
import io.followermaze.engine.EngineCommand.SourceDisconnected;
import io.followermaze.engine.SourceChunker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one event-source connection: frames and parses each read into one {@link SourceChunk} for
 * the engine. Submitting blocks while the engine's inbox is full, so a busy engine stops the reads
 * and TCP carries the back-pressure to the source. When the connection ends, the engine hears
 * {@link SourceDisconnected} after the last chunk.
 */
final class EventSourceReader implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(EventSourceReader.class);
  private static final int READ_BUFFER_BYTES = 64 * 1024;

  private final SocketChannel channel;
  private final String origin;
  private final Engine engine;
  private final SourceChunker chunker;

  EventSourceReader(SocketChannel channel, String origin, Engine engine, int maxLineLength) {
    this.channel = channel;
    this.origin = origin;
    this.engine = engine;
    this.chunker = new SourceChunker(origin, maxLineLength);
  }

  @Override
  public void run() {
    ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    String ending = "closed the connection";
    try {
      for (int read; (read = channel.read(buffer)) >= 0; buffer.clear()) {
        submit(chunker.chunk(buffer.array(), read, false));
      }
    } catch (IOException e) {
      ending = channel.isOpen() ? "failed: " + e.getMessage() : "was closed by the server";
    } finally {
      submit(chunker.end());
      engine.submit(new SourceDisconnected(origin));
      Connections.closeQuietly(channel);
      log.info("event source {} {} after {} lines", origin, ending, chunker.lines());
    }
  }

  private void submit(SourceChunk chunk) {
    if (chunk != null) {
      engine.submit(chunk);
    }
  }
}
