/**
 * Cluster mode on Apache Kafka: one {@link io.followermaze.cluster.EventLogPublisher sequencer}
 * puts the single global order into a one-partition topic, any number of gateways read it ({@link
 * io.followermaze.cluster.KafkaEventFeed}) and serve their own clients, and a compacted presence
 * topic ({@link io.followermaze.cluster.PresenceTable}) decides which gateway dead-letters a
 * notification for a user no gateway has. Design and limits: {@code docs/cluster.md}.
 */
package io.followermaze.cluster;
