package dev.switchover.workflows.activities;

/**
 * One look at replication from the source's side.
 *
 * @param streaming whether the target is connected and applying changes
 * @param lagBytes how far the target's replayed position is behind the source's current one;
 *     Long.MAX_VALUE when unknown (the target is not connected)
 * @param lagSeconds the engine's own time lag (PostgreSQL's replay_lag, MySQL's
 *     Seconds_Behind_Source); 0 when idle, Double.MAX_VALUE when unknown
 * @param sourcePosition the source's current LSN or executed GTID set
 * @param targetPosition the target's replayed LSN or executed GTID set
 * @param state the engine's words for the replication state (e.g. "streaming/async")
 * @param retainedBytes WAL the replication slot holds back on the source for the target; null
 *     where nothing is held for it (MySQL, MariaDB) or it was not measured
 * @param sourceFreeBytes free space on the source's WAL volume; null where not measured
 */
public record LagSample(
        boolean streaming,
        long lagBytes,
        double lagSeconds,
        String sourcePosition,
        String targetPosition,
        String state,
        Long retainedBytes,
        Long sourceFreeBytes) {

    public LagSample(
            boolean streaming,
            long lagBytes,
            double lagSeconds,
            String sourcePosition,
            String targetPosition,
            String state) {
        this(streaming, lagBytes, lagSeconds, sourcePosition, targetPosition, state, null, null);
    }

    /** This sample with what the slot holds back on the source and the free space there. */
    public LagSample retaining(long retained, long free) {
        return new LagSample(streaming, lagBytes, lagSeconds, sourcePosition, targetPosition, state, retained, free);
    }

    /** The most the slot may hold back under {@code percent} of what the WAL volume has for it, or under {@code cap}. */
    public Long retentionLimit(Long cap, int percent) {
        if (retainedBytes == null || sourceFreeBytes == null) return null;
        long share = (retainedBytes + sourceFreeBytes) / 100 * percent;
        return cap == null ? share : Math.min(cap, share);
    }

    /** Under both thresholds and actually streaming. */
    public boolean within(long maxBytes, double maxSeconds) {
        return streaming && lagBytes <= maxBytes && lagSeconds <= maxSeconds;
    }
}
