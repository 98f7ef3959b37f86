package dev.switchover.workflows.activities;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.switchover.workflows.Phase;

/**
 * One event of a migration, as its webhook receives it in JSON. {@code sequence} counts 1, 2, 3…
 * per migration in the order the events happened, and with {@code workflowId} names the event
 * uniquely, so a receiver can drop the duplicate a retry may deliver. {@code at} is the workflow's
 * time of the event (ISO-8601, UTC); {@code previousPhase} is set on phase changes only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Notification(
        int sequence,
        String event,
        String migration,
        String workflowId,
        Phase phase,
        Phase previousPhase,
        String at,
        String message,
        String source,
        String target) {

    /** The phase changed; {@code message} describes the new phase. */
    public static final String PHASE_CHANGED = "phase_changed";
    /** The manual gate started waiting for an approval; {@code message} says how to give it. */
    public static final String APPROVAL_AWAITED = "approval_awaited";
    /** The migration ends failed; {@code message} is the failure and what to do. */
    public static final String FAILED = "failed";
}
