package io.followermaze.dlq;

/**
 * A dead letter as the store keeps it.
 *
 * @param id its id, increasing in commit order
 * @param letter the dead letter
 * @param redrivenAtMillis when it was redriven (epoch ms), or 0 if never
 */
public record StoredDeadLetter(long id, DeadLetter letter, long redrivenAtMillis) {}
