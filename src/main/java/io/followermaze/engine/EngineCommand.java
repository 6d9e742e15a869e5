package io.followermaze.engine;

import io.followermaze.delivery.ClientSession;
import io.followermaze.dlq.ParkedLetter;
import io.followermaze.protocol.ParseResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What other threads ask of the engine thread. */
public sealed interface EngineCommand {

  /**
   * Lines read from the event source, in arrival order.
   *
   * @param items the parsed lines; only the first {@code count} are used
   * @param count how many items there are
   * @param origin the source connection, for dead letters
   * @param replay events that were delivered before (a gateway catching up after a restart): they
   *     only rebuild the follow graph; nothing is delivered or dead-lettered for them
   */
  record SourceChunk(ParseResult[] items, int count, String origin, boolean replay)
      implements EngineCommand {

    /** Live lines. */
    public SourceChunk(ParseResult[] items, int count, String origin) {
      this(items, count, origin, false);
    }
  }

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
   * @param parked notifications parked for this user, queued before anything live (may be empty)
   * @param queued completed with the ids of the parked ones that were queued
   */
  record ClientConnected(
      ClientSession session, List<ParkedLetter> parked, CompletableFuture<List<Long>> queued)
      implements EngineCommand {

    /** A connection with nothing parked to redeliver. */
    public ClientConnected(ClientSession session) {
      this(session, List.of(), new CompletableFuture<>());
    }
  }

  /**
   * Redeliver parked notifications to whichever of their recipients are connected now.
   *
   * @param letters the notifications, oldest first
   * @param queued completed with the ids of those that were queued for a connected recipient
   */
  record Redeliver(List<ParkedLetter> letters, CompletableFuture<List<Long>> queued)
      implements EngineCommand {}

  /**
   * A session's writer has ended; the engine takes back its outbox.
   *
   * @param session the ended session
   */
  record ClientEnded(ClientSession session) implements EngineCommand {}

  /**
   * A point in the input: {@code stored} completes once the engine has handled every command
   * submitted before it (by the same producer) and the dead letters they raised are stored, so that
   * the producer may commit its input position up to here; exceptionally if those letters cannot be
   * stored or the engine has stopped.
   *
   * @param stored completed as said
   */
  record Checkpoint(CompletableFuture<Void> stored) implements EngineCommand {}

  /**
   * Deliver what can be delivered, retire every session, and stop.
   *
   * @param done completed once the engine thread has finished
   */
  record Shutdown(CompletableFuture<Void> done) implements EngineCommand {}
}
