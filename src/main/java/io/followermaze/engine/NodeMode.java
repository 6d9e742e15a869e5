package io.followermaze.engine;

import java.util.function.IntPredicate;

/** What the engine does with the events it takes, by the node it runs in (see docs/cluster.md). */
public sealed interface NodeMode {

  /** A single node: sequences, routes and delivers; dead-letters for every user not connected. */
  record SingleNode() implements NodeMode {}

  /**
   * A cluster's sequencer: sequences and dead-letters bad input as a single node does, then hands
   * each event, in sequence order, to {@code log} instead of routing it; numbering resumes after
   * {@code resumeAfter} (the log's last event; 0 for a new log).
   */
  record Sequencer(OrderedLog log, long resumeAfter) implements NodeMode {}

  /**
   * A cluster's gateway: routes events that come already in their final order (from the log, which
   * skips what the sequencer skipped, so no gap opens again) to its own clients; dead-letters a
   * notification for a user without a session only when {@code ownsOffline} says so (no other
   * gateway holds the user, and it is one this gateway owns).
   */
  record Gateway(IntPredicate ownsOffline) implements NodeMode {}
}
