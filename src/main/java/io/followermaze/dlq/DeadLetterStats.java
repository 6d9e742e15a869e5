package io.followermaze.dlq;

import java.util.Map;

/**
 * Counts and bounds of what the store holds.
 *
 * @param byReason how many dead letters there are of each reason (reasons with none left out)
 * @param total how many in all
 * @param oldestMillis the oldest one's time (epoch ms), or 0 when empty
 * @param newestMillis the newest one's time (epoch ms), or 0 when empty
 * @param bytesOnDisk the database files' size
 * @param removedByRetention how many retention has deleted since the store was created
 * @param awaitingIndex committed letters not yet expanded into per-letter rows (not yet counted
 *     above; the running server expands them when idle)
 */
public record DeadLetterStats(
    Map<Reason, Long> byReason,
    long total,
    long oldestMillis,
    long newestMillis,
    long bytesOnDisk,
    long removedByRetention,
    long awaitingIndex) {}
