/**
 * Redrive: delivering parked (undeliverable) notifications again once their users are connected,
 * oldest first, at a limited rate, marking each one redriven. Operators ask for it with {@code
 * followermaze dlq redrive}, which records a request in the store; the running server's {@link
 * io.followermaze.redrive.Redriver} carries it out, because only the server holds the connections.
 */
package io.followermaze.redrive;
