/**
 * Restoring sequence order: the {@link io.followermaze.sequencing.Sequencer} holds only what
 * arrived out of order, in a bounded ring, and releases every contiguous successor at once.
 *
 * <p>Missing numbers are skipped by the gap policy only when they are clearly not coming: the
 * source disconnected, the stream has moved far past them, or the source has been silent with the
 * gap open for the gap timeout. Duplicates and skipped ranges are reported to the listener, which
 * turns them into dead letters. Single-threaded: the engine thread owns it.
 */
package io.followermaze.sequencing;
