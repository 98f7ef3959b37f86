package dev.switchover.workflows.spec;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * When the target counts as caught up: lag under both thresholds, continuously for
 * {@code holdFor}. If that has not happened by {@code deadline} after catch-up began (time spent
 * paused does not count), the migration fails and the source keeps serving.
 *
 * <p>While it waits, the WAL the replication slot holds back on the source grows as far as the
 * target is behind. {@code maxRetainedBytes} (if set) and {@code maxRetainedPercent} (of what the
 * source's WAL volume had available to it: free space plus what is held, default 50) bound it:
 * past either, the migration stops and drops the slot rather than fill the production primary's disk.
 */
public record CatchUpSpec(
        Long maxLagBytes,
        Double maxLagSeconds,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration holdFor,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration deadline,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration pollEvery,

        Long maxRetainedBytes,
        Integer maxRetainedPercent) {

    public CatchUpSpec(
            Long maxLagBytes, Double maxLagSeconds, Duration holdFor, Duration deadline, Duration pollEvery) {
        this(maxLagBytes, maxLagSeconds, holdFor, deadline, pollEvery, null, null);
    }

    CatchUpSpec withDefaults() {
        return new CatchUpSpec(
                maxLagBytes == null ? 1_048_576L : maxLagBytes,
                maxLagSeconds == null ? 1.0 : maxLagSeconds,
                holdFor == null ? Duration.ofSeconds(30) : holdFor,
                deadline == null ? Duration.ofHours(6) : deadline,
                pollEvery == null ? Duration.ofSeconds(5) : pollEvery,
                maxRetainedBytes,
                maxRetainedPercent == null ? 50 : maxRetainedPercent);
    }
}
