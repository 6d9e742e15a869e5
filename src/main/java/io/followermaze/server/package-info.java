/**
 * The server's network edge and lifecycle: the {@link io.followermaze.server.EventSourceListener}
 * (one source at a time, read and parsed on its own thread), the {@link
 * io.followermaze.server.ClientListener} (handshake, then one writer and one reader virtual thread
 * per client), and {@link io.followermaze.server.Server}, which starts everything from one
 * validated {@link io.followermaze.server.ServerConfig} and stops it in reverse order.
 */
package io.followermaze.server;
