/**
 * Dead letters: everything the server received but could not use or deliver becomes a {@link
 * io.followermaze.dlq.DeadLetter} with a {@link io.followermaze.dlq.Reason}, handed to one {@link
 * io.followermaze.dlq.DeadLetterSink}.
 *
 * <pre>
 * engine ──(DeadLetterBlock: each event once + its recipients)──▶ LoggingDeadLetterSink (counts)
 *                                                                        │
 * client writers ──(single letters)──────────────────────────────────────┤
 *                                                                        ▼
 *          DeadLetterCollector: BlockQueue (bounded in bytes) ──▶ DeadLetterFlusher (one role)
 *                                                                        │
 *                                         DeadLetterStore port ──▶ dlq.sqlite | kafka
 * operators ──▶ DlqOperations (stats, list, show, purge, redrive) ◀── cli, admin
 * redrive ──▶ RedriveStore port (parked letters, requests) ──▶ RedriveTarget port (the engine)
 * </pre>
 *
 * <p>The sink is called from several threads; an implementation must be thread-safe, must never
 * throw, and may apply back-pressure by blocking (the engine then stops reading the event source,
 * so nothing is dropped). The compact codecs ({@link io.followermaze.dlq.VarintBuffer}, {@link
 * io.followermaze.dlq.VarintReader}) check every bound: damaged data is refused with a clear error.
 */
package io.followermaze.dlq;
