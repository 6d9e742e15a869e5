package io.followermaze.engine;

import java.util.function.IntPredicate;

/**
 * The engine's part in a cluster (see {@code docs/cluster.md}); {@link #SINGLE_NODE} by default.
 *
 * @param ordered when not null (the sequencer), events in sequence order go here instead of being
 *     routed: the engine sequences and dead-letters, but delivers nothing itself
 * @param ownsOffline whether this node dead-letters a notification for a user it has no session for
 *     (a gateway: only when no other gateway has the user, and the user is one it owns)
 * @param preordered whether the input is already in its final order (a gateway reading the log):
 *     events are routed as they come, without the sequencer (the log skips what the sequencer
 *     skipped, which must not open gaps again)
 * @param resumeAfter the last sequence number already handled (a restarted sequencer resumes the
 *     numbering after the log's last event); 0 to start at 1
 */
public record ClusterPart(
    OrderedLog ordered, IntPredicate ownsOffline, boolean preordered, long resumeAfter) {
  public static final ClusterPart SINGLE_NODE = new ClusterPart(null, user -> true, false, 0);
}
