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
 * the cutover may happen. {@code freezeTimeout} bounds the freeze itself: a statement that holds the
 * source's write lock longer makes the freeze give up and let clients through again, naming the
 * session, unless {@code endBlockingSessions} says to end such sessions instead.
 */
public record CutoverSpec(
        CutoverMode mode,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration approvalValidFor,

        HookSpec stopApplication,
        HookSpec resumeApplication,
        Boolean allowSourceRestart,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration syncTimeout,

        CutoverWindowSpec window,

        @JsonSerialize(using = DurationText.Serializer.class) @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration freezeTimeout,

        Boolean endBlockingSessions) {

    public CutoverSpec(
            CutoverMode mode,
            Duration approvalValidFor,
            HookSpec stopApplication,
            HookSpec resumeApplication,
            Boolean allowSourceRestart,
            Duration syncTimeout) {
        this(mode, approvalValidFor, stopApplication, resumeApplication, allowSourceRestart, syncTimeout, null);
    }

    public CutoverSpec(
            CutoverMode mode,
            Duration approvalValidFor,
            HookSpec stopApplication,
            HookSpec resumeApplication,
            Boolean allowSourceRestart,
            Duration syncTimeout,
            CutoverWindowSpec window) {
        this(
                mode,
                approvalValidFor,
                stopApplication,
                resumeApplication,
                allowSourceRestart,
                syncTimeout,
                window,
                null,
                null);
    }

    CutoverSpec withDefaults() {
        return new CutoverSpec(
                mode == null ? CutoverMode.MANUAL : mode,
                approvalValidFor == null ? Duration.ofMinutes(30) : approvalValidFor,
                stopApplication == null ? null : stopApplication.withDefaults(),
                resumeApplication == null ? null : resumeApplication.withDefaults(),
                allowSourceRestart != null && allowSourceRestart,
                syncTimeout == null ? Duration.ofSeconds(60) : syncTimeout,
                window == null ? null : window.withDefaults(),
                freezeTimeout == null ? Duration.ofSeconds(5) : freezeTimeout,
                endBlockingSessions != null && endBlockingSessions);
    }
}
