package io.followermaze.engine;

import io.followermaze.delivery.ClientLimits;
import java.time.Duration;

/**
 * The engine's settings, validated by the caller.
 *
 * @param minGapDistance the least distance past a missing number before it is skipped
 * @param reorderWindow the most sequence numbers held out of order (a power of two)
 * @param gapTimeout how long the source may be silent with a gap open before it is skipped
 * @param clientLimits when a client is too slow, and what happens then
 * @param clientLinger the least time between two wake-ups of a client's writer while its
 *     notifications keep coming (zero: after every batch)
 * @param inboxCapacity how many commands may wait for the engine
 */
public record EngineSettings(
    long minGapDistance,
    int reorderWindow,
    Duration gapTimeout,
    ClientLimits clientLimits,
    Duration clientLinger,
    int inboxCapacity) {}
