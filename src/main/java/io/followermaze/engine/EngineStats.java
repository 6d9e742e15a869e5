package io.followermaze.engine;

/**
 * A consistent-enough snapshot of the engine's counters, published at the end of each batch.
 *
 * @param eventsReceived well-formed events read from the source
 * @param linesMalformed lines that did not parse
 * @param eventsDelivered events released in sequence order and routed
 * @param notificationsQueued notifications handed to client outboxes
 * @param deadLetters dead letters raised by the engine and the session writers
 * @param connectedClients sessions in the registry
 * @param reorderDepth events held waiting for a missing number
 * @param nextSequence the next sequence number to be released
 * @param clientsRegistered client sessions registered since start (reconnections included)
 * @param processingErrors commands the engine failed to process (a bug if ever non-zero)
 */
public record EngineStats(
    long eventsReceived,
    long linesMalformed,
    long eventsDelivered,
    long notificationsQueued,
    long deadLetters,
    int connectedClients,
    int reorderDepth,
    long nextSequence,
    long clientsRegistered,
    long processingErrors) {

  /** Before anything happened. */
  public static final EngineStats EMPTY = new EngineStats(0, 0, 0, 0, 0, 0, 0, 1, 0, 0);
}
