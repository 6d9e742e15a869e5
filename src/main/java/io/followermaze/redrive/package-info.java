/**
 * Redrive: delivering parked (undeliverable) notifications again once their users are connected,
 * oldest first, at a limited rate, marking each one redriven. Operators ask for it with {@code
 * followermaze dlq redrive}, which records a request in the store; the running server's {@link
 * io.followermaze.redrive.Redriver} carries it out, because only the server holds the connections.
 *
 * <pre>
 * dlq redrive ──▶ store (request) ◀── RedriveStore port ── RedriveConnection ◀── Redriver (a role)
 *                                                                              │ slices of rate/10
 *                                                RedriveTarget port (the engine) ◀┘ → queued ids
 * </pre>
 *
 * <p>The package knows only the two ports in {@code dlq}: no engine, server or store (checked by
 * {@code ArchitectureTest}).
 */
package io.followermaze.redrive;
