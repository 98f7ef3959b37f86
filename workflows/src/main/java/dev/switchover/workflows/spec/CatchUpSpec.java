package dev.switchover.workflows.spec;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * When the target counts as caught up: lag under both thresholds, continuously for
 * {@code holdFor}. If that has not happened by {@code deadline} after catch-up began (time spent
 * paused does not count), the migration fails and the source keeps serving.
 */
public record CatchUpSpec(
    Long maxLagBytes,
    Double maxLagSeconds,
    @JsonSerialize(using = DurationText.Serializer.class)
        @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration holdFor,
    @JsonSerialize(using = DurationText.Serializer.class)
        @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration deadline,
    @JsonSerialize(using = DurationText.Serializer.class)
        @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration pollEvery) {

  CatchUpSpec withDefaults() {
    return new CatchUpSpec(
        maxLagBytes == null ? 1_048_576L : maxLagBytes,
        maxLagSeconds == null ? 1.0 : maxLagSeconds,
        holdFor == null ? Duration.ofSeconds(30) : holdFor,
        deadline == null ? Duration.ofHours(6) : deadline,
        pollEvery == null ? Duration.ofSeconds(5) : pollEvery);
  }
}
