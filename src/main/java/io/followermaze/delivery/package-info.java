/**
 * Delivery to user clients. On the engine thread, {@link io.followermaze.delivery.ConnectedClients}
 * keeps the sessions by user, queues each notification and applies the slow-client policy ({@link
 * io.followermaze.delivery.OutboxBudget}: a client that keeps draining keeps any backlog; one that
 * stalls past its buffer, or holds the largest backlog when all exceed the budget, is too slow).
 * Each {@link io.followermaze.delivery.ClientSession} copies its notification lines back to back
 * into chunks ({@link io.followermaze.delivery.LineBacklog}) and, at each wake-up, moves them into
 * a small single-producer/single-consumer ring shared with its {@link
 * io.followermaze.delivery.SessionWriter} (a virtual thread). The writer drains what is queued into
 * one buffer and writes it to the session's {@link io.followermaze.delivery.Connection} with one
 * call. What a client cannot receive becomes dead letters through {@link
 * io.followermaze.delivery.UndeliveredSink}.
 *
 * <pre>
 *  engine thread ─ ConnectedClients.queue ─▶ [line chunks] ─ refill ─▶ [ring] ─▶ SessionWriter ─ write ─▶ Connection
 *        │                                                                       │ on failure
 *        │ endBatch: wake-ups, stalls, budget                                     ▼
 *        └──────────────────────────── too slow / lost ──────────────────────▶ dead letters
 * </pre>
 */
package io.followermaze.delivery;
