/**
 * Routing, free of I/O: given an event and the follow graph, who is to be notified. The {@link
 * io.followermaze.routing.Router} applies follows and unfollows to the {@link
 * io.followermaze.routing.FollowGraph} and names recipients to a {@link
 * io.followermaze.routing.Recipients} callback, so it is tested without sockets. Single-threaded:
 * the engine thread owns the graph.
 */
package io.followermaze.routing;
