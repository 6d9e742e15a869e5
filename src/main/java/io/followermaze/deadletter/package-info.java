/**
 * The dead-letter port: everything the server received but could not use or deliver becomes a
 * {@link io.followermaze.deadletter.DeadLetter} with a {@link io.followermaze.deadletter.Reason},
 * handed to one {@link io.followermaze.deadletter.DeadLetterSink}.
 *
 * <p>The engine, the event-source readers and the client writers all call the sink; an
 * implementation must be thread-safe, must never throw, and may apply back-pressure by blocking
 * (the engine then stops reading the event source, so nothing is dropped).
 */
package io.followermaze.deadletter;
