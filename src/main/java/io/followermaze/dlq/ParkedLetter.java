package io.followermaze.dlq;

import io.followermaze.protocol.Event;

/**
 * A parked letter on its way back to its recipient: the letter's id in the store it came from, the
 * user and the parsed event.
 *
 * @param id the letter's id (what is marked redriven once queued)
 * @param recipient the user to deliver to
 * @param event the event, as parsed from the stored bytes
 */
public record ParkedLetter(long id, int recipient, Event event) {}
