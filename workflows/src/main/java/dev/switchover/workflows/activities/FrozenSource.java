package dev.switchover.workflows.activities;

/**
 * The source after writes were stopped: its final position (LSN or GTID set), which the target
 * must hold before promotion, and {@code sourceId}, the identity the target must prove it is a
 * copy of (PostgreSQL's system identifier), read in the same login so that the sync check and
 * promotion need none to the source while clients wait. Null in histories from before it was
 * carried, and for engines that prove the copy another way.
 */
public record FrozenSource(String finalPosition, int sessionsEnded, String sourceId) {

    public FrozenSource(String finalPosition, int sessionsEnded) {
        this(finalPosition, sessionsEnded, null);
    }
}
