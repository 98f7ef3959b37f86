package dev.switchover.workflows.status;

import java.time.Instant;

/**
 * How the catch-up moves, from the lag samples of the last two minutes: what an operator plans
 * the cutover with.
 *
 * @param lagBytesPerSecond the lag's rate of change; negative while the target gains on the source
 * @param trend its direction
 * @param inSyncAt when the lag reaches zero at this rate; null unless it shrinks
 * @param converging whether the target will be in sync before the catch-up's deadline at this rate
 * @param summary all of it in words: "lag shrinking by 2.1 MiB/s: in sync in about 3m10s (2026-12-06T23:04:12Z)"
 */
public record CatchUpProgress(
        double lagBytesPerSecond, Trend trend, Instant inSyncAt, boolean converging, String summary) {

    public enum Trend {
        SHRINKING,
        STEADY,
        GROWING
    }
}
