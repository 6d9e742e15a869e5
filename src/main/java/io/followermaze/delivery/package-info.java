/**
 * Delivery to user clients. Each {@link io.followermaze.delivery.ClientSession} has a bounded
 * single-producer/single-consumer outbox: the engine thread is the only producer, the session's
 * {@link io.followermaze.delivery.SessionWriter} (a virtual thread) the only consumer. The writer
 * drains everything queued into one buffer and writes it with one call, so the number of system
 * calls falls as load rises. A slow client fills only its own outbox; the engine never waits on a
 * socket. Notifications that cannot be written become dead letters through {@link
 * io.followermaze.delivery.Undeliverable}.
 *
 * <pre>
 *  engine thread ──offer──▶ [outbox: SPSC ring] ──drain──▶ SessionWriter ──write──▶ socket
 *        │ wake() at batch end                                  │ on failure
 *        └──────────────────────────────────────────────────────┴──▶ dead letters
 * </pre>
 */
package io.followermaze.delivery;
