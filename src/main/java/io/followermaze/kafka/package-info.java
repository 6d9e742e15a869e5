/**
 * Everything that speaks Kafka, and nothing else does (only {@code cli} imports this package): the
 * dead-letter topic ({@link io.followermaze.kafka.KafkaDeadLetterStore}, {@link
 * io.followermaze.kafka.KafkaDeadLetterArchive}, {@link io.followermaze.kafka.KafkaDlqOperations},
 * {@link io.followermaze.kafka.KafkaRedriver}) and cluster mode: one {@link
 * io.followermaze.kafka.EventLogPublisher sequencer} puts the single global order into a
 * one-partition topic, any number of gateways read it ({@link
 * io.followermaze.kafka.KafkaEventFeed}) and serve their own clients, and a compacted presence
 * topic ({@link io.followermaze.kafka.PresenceTable}) decides which gateway dead-letters a
 * notification for a user no gateway has. Design and limits: {@code docs/cluster.md}.
 */
package io.followermaze.kafka;
