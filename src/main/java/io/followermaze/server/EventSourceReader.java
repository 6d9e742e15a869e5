package io.followermaze.server;

import io.followermaze.engine.Engine;
import io.followermaze.engine.EngineCommand.SourceChunk;
import io.followermaze.engine.EngineCommand.SourceDisconnected;
import io.followermaze.engine.SourceChunker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one event-source connection: frames and parses each read into one {@link SourceChunk} for
 * the engine. Submitting blocks while the engine's inbox is full, so a busy engine stops the reads
 * and TCP carries the back-pressure to the source. When the connection ends, the engine hears
 * {@link SourceDisconnected} after the last chunk, and the role ends as expected.
 */
final class EventSourceReader implements Agent {

  private static final Logger log = LoggerFactory.getLogger(EventSourceReader.class);
  private static final int READ_BUFFER_BYTES = 64 * 1024;

  private final SocketChannel channel;
  private final String origin;
  private final Engine engine;
  private final SourceChunker chunker;
  private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
  private final java.util.concurrent.CountDownLatch ended =
      new java.util.concurrent.CountDownLatch(1);

  EventSourceReader(SocketChannel channel, String origin, Engine engine, int maxLineLength) {
    this.channel = channel;
    this.origin = origin;
    this.engine = engine;
    this.chunker = new SourceChunker(origin, maxLineLength);
  }

  @Override
  public String roleName() {
    return "source-reader";
  }

  /** One read, handed to the engine; at the end of the connection, the end and the role's. */
  @Override
  public int doWork() {
    String ending = "closed the connection";
    try {
      int read = channel.read(buffer);
      if (read >= 0) {
        submit(chunker.chunk(buffer.array(), read, false));
        buffer.clear();
        return 1;
      }
    } catch (IOException e) {
      ending = channel.isOpen() ? "failed: " + e.getMessage() : "was closed by the server";
    }
    submit(chunker.end());
    engine.submit(new SourceDisconnected(origin));
    Sockets.closeQuietly(channel);
    log.info("event source {} {} after {} lines", origin, ending, chunker.lines());
    ended.countDown();
    throw new AgentTerminationException(true);
  }

  /** Whether the connection has ended and everything read was handed over. */
  boolean ended() {
    return ended.getCount() == 0;
  }

  /** Waits up to {@code patience} for {@link #ended()}; returns it (false if interrupted). */
  boolean awaitEnd(java.time.Duration patience) {
    try {
      return ended.await(patience.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void submit(SourceChunk chunk) {
    if (chunk != null) {
      engine.submit(chunk);
    }
  }
}
