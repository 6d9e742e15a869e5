/**
 * The engine: the single writer that owns all domain state.
 *
 * <pre>
 *  source reader ─┐  (parsed chunks)
 *  client threads ─┼─▶ Inbox (MPSC) ─▶ Engine thread: Sequencer ─▶ Router ─▶ session outboxes
 *  writer threads ─┘  (connect/leave)          │            │             │
 *                                              └────────────┴─────────────┴──▶ DeadLetterSink
 * </pre>
 *
 * <p>The sequencer, follow graph, router and session registry are touched by the engine thread
 * only, so none of them needs a lock. Other threads talk to it through {@link
 * io.followermaze.engine.EngineCommand}s. A full inbox blocks the event-source reader, which is how
 * back-pressure (a slow dead-letter store, say) reaches the source over TCP.
 */
package io.followermaze.engine;
