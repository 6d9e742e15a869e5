package io.followermaze.engine;

import io.followermaze.delivery.ClientSession;
import io.followermaze.protocol.ParseResult;
import java.util.concurrent.CompletableFuture;

/** What other threads ask of the engine thread. */
public sealed interface EngineCommand {

  /**
   * Lines read from the event source, in arrival order.
   *
   * @param items the parsed lines; only the first {@code count} are used
   * @param count how many items there are
   * @param origin the source connection, for dead letters
   */
  record SourceChunk(ParseResult[] items, int count, String origin) implements EngineCommand {}

  /**
   * The event source connection ended; whatever it did not send is not coming.
   *
   * @param origin the source connection
   */
  record SourceDisconnected(String origin) implements EngineCommand {}

  /**
   * A user client finished its handshake.
   *
   * @param session the new session, its writer already running
   */
  record ClientConnected(ClientSession session) implements EngineCommand {}

  /**
   * A session's writer has ended; the engine takes back its outbox.
   *
   * @param session the ended session
   */
  record ClientEnded(ClientSession session) implements EngineCommand {}

  /**
   * Deliver what can be delivered, retire every session, and stop.
   *
   * @param done completed once the engine thread has finished
   */
  record Shutdown(CompletableFuture<Void> done) implements EngineCommand {}
}
