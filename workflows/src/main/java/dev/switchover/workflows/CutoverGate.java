package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.spec.CatchUpSpec;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.DurationText;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * The cutover gate: the last wait before the source is frozen. It opens on an approval (manual)
 * or at once (automatic), inside the cutover window if the spec has one, and only with the target
 * in sync; an approval expires if the gate cannot open in time.
 */
record CutoverGate(
        MigrationState state, MigrationSpec spec, StatusPublisher publisher, LagSampler lag, Polling polling) {

    /** Waits for the gate to open: approval (manual) or at once (automatic), with lag re-checked. */
    String await() {
        CatchUpSpec c = spec.catchUp();
        CutoverWindow window = CutoverWindow.of(spec.cutover().window());
        // Announced once per wait for an approval, not at every poll; an expired approval starts a new wait.
        while (true) {
            polling.waitWhilePaused(false);
            Approval considered = state.approval;
            boolean open = window == null || window.isOpen(now());
            String closed = open
                    ? ""
                    : "the cutover window " + window + " opens at " + window.describeOpening(window.opensAfter(now()));
            if (spec.cutover().mode() == CutoverMode.AUTOMATIC) {
                lag.sample();
                if (open && state.inSync(c)) {
                    return "automatic: in sync (" + Lag.describe(state.lag) + ")"
                            + (window == null ? "" : ", inside the cutover window " + window);
                }
                state.waitingFor = open
                        ? "automatic cutover as soon as the target is back in sync (" + Lag.describe(state.lag) + ")"
                        : "automatic cutover when " + closed + " (" + Lag.describe(state.lag) + ")";
            } else if (considered != null) {
                // An approval given outside the window counts from its opening: that is when the gate could open.
                Instant gate = window == null ? state.approvedAt : window.opensAfter(state.approvedAt);
                Instant expires = gate.plus(spec.cutover().approvalValidFor());
                if (now().isAfter(expires)) {
                    state.note(
                            now(),
                            "approval by " + considered.approver() + " expired after "
                                    + DurationText.format(spec.cutover().approvalValidFor())
                                    + " without a cutover; approve again");
                    state.approval = null;
                    state.approvedAt = null;
                    state.approvalAnnounced = false;
                    continue;
                }
                lag.sample();
                if (open && state.inSync(c)) {
                    boolean noComment =
                            considered.comment() == null || considered.comment().isBlank();
                    return "approved by " + considered.approver() + (noComment ? "" : " (" + considered.comment() + ")")
                            + "; " + Lag.describe(state.lag);
                }
                state.waitingFor = !open
                        ? "approved by " + considered.approver() + "; the cutover is deferred until " + closed + " (the"
                                + " approval holds until " + expires + ")"
                        : "approved by " + considered.approver() + ", but the target fell behind ("
                                + Lag.describe(state.lag)
                                + "); cutover goes ahead when it is back in sync, unless the approval"
                                + " expires at " + expires;
            } else {
                state.waitingFor =
                        "approval: `./switchover approve " + Workflow.getInfo().getWorkflowId()
                                + "` or signal approveCutover in the Web UI (" + Lag.describe(state.lag) + ")"
                                + (open ? "" : "; " + closed);
                if (!state.approvalAnnounced) publisher.approvalAwaited(state.waitingFor);
                state.approvalAnnounced = true;
            }
            publisher.publish();
            Duration wait = polling.interval();
            if (!open) {
                // Wake at the opening itself, not up to a poll interval after it.
                Duration untilOpen = Duration.between(now(), window.opensAfter(now()));
                wait = Collections.max(List.of(Duration.ofSeconds(1), Collections.min(List.of(wait, untilOpen))));
            }
            boolean woken = Workflow.await(wait, () -> state.paused || state.approval != considered);
            if (!woken && state.approval == null && spec.cutover().mode() == CutoverMode.MANUAL) lag.sample();
            polling.continueAsNewIfLong();
        }
    }
}
