package dev.switchover.workflows.spec;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;

/**
 * The cutover gate and the steps right before promotion. An approval older than
 * {@code approvalValidFor} when the gate could open expires and must be given again, so nobody
 * promotes on a stale "yes". {@code resumeApplication} runs if the migration is rolled back after
 * {@code stopApplication} ran, so the application comes back on the source. {@code syncTimeout}
 * bounds how long verify-sync waits for the target
 * to reach the source's final position after writes are frozen. {@code window}, if set, is when
 * the cutover may happen.
 */
public record CutoverSpec(
    CutoverMode mode,
    @JsonSerialize(using = DurationText.Serializer.class)
        @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration approvalValidFor,
    HookSpec stopApplication,
    HookSpec resumeApplication,
    Boolean allowSourceRestart,
    @JsonSerialize(using = DurationText.Serializer.class)
        @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration syncTimeout,
    CutoverWindowSpec window) {

  public CutoverSpec(CutoverMode mode, Duration approvalValidFor, HookSpec stopApplication, HookSpec resumeApplication,
      Boolean allowSourceRestart, Duration syncTimeout) {
    this(mode, approvalValidFor, stopApplication, resumeApplication, allowSourceRestart, syncTimeout, null);
  }

  CutoverSpec withDefaults() {
    return new CutoverSpec(
        mode == null ? CutoverMode.MANUAL : mode,
        approvalValidFor == null ? Duration.ofMinutes(30) : approvalValidFor,
        stopApplication == null ? null : stopApplication.withDefaults(),
        resumeApplication == null ? null : resumeApplication.withDefaults(),
        allowSourceRestart != null && allowSourceRestart,
        syncTimeout == null ? Duration.ofSeconds(60) : syncTimeout,
        window == null ? null : window.withDefaults());
  }
}
