package io.followermaze.kafka;

import java.util.Map;

/** The cluster's topics, created on first use. */
public final class ClusterTopics {

  /** The global order: every event, in sequence order, in one partition, kept forever. */
  public static final String EVENTS = "maze.events";

  /** Which gateway holds which user: key = user id, value = gateway id, tombstone when gone. */
  public static final String PRESENCE = "maze.presence";

  private ClusterTopics() {}

  /** Creates the event log (one partition, no time or size limit) unless it exists. */
  public static void createEvents(String bootstrap, String topic) {
    KafkaDeadLetterStore.createTopic(
        bootstrap, topic, 1, Map.of("retention.ms", "-1", "retention.bytes", "-1"));
  }

  /** Creates the compacted presence topic unless it exists. */
  public static void createPresence(String bootstrap, String topic) {
    KafkaDeadLetterStore.createTopic(bootstrap, topic, 1, Map.of("cleanup.policy", "compact"));
  }
}
