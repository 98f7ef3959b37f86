package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.ReportLocation;
import dev.switchover.workflows.fleet.FleetWorkflow;
import dev.switchover.workflows.fleet.MigrationProgress;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.CatchUpProgress;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.util.function.BooleanSupplier;

/**
 * What the migration tells as it goes: the Web UI's details, the webhook's events, the fleet it
 * belongs to (if any) and, at its end, the report. Each reads the one {@link MigrationState}.
 *
 * @param notifier null when the spec asks for no notifications
 */
record StatusPublisher(
        MigrationState state,
        MigrationSpec spec,
        Notifier notifier,
        MigrationActivities activities,
        StepResults results) {

    /** The Web UI's details, the webhook's phase event and the fleet's report, for the state as it is now. */
    void publish() {
        announcePhase();
        StringBuilder md = new StringBuilder();
        md.append("**Phase:** ").append(state.phase).append(" — ").append(state.phase.description());
        if (state.paused) md.append(" (PAUSED by ").append(state.pausedBy).append(")");
        if (!state.waitingFor.isEmpty()) md.append("\n\n**Waiting for:** ").append(state.waitingFor);
        if (state.lag != null) md.append("\n\n**Lag:** ").append(Lag.describe(state.lag));
        CatchUpProgress progress = state.catchUpProgress(spec);
        if (progress != null) md.append("\n\n**Catch-up:** ").append(progress.summary());
        if (state.copy != null && state.phase == Phase.BASE_COPY) {
            md.append(String.format(
                    java.util.Locale.ROOT,
                    "\n\n**Base copy:** %.1f%% (%s of %s)",
                    state.copy.percent(),
                    Lag.bytes(state.copy.doneBytes()),
                    Lag.bytes(state.copy.totalBytes())));
        }
        if (state.failure != null) md.append("\n\n**Failure:** ").append(state.failure);
        Workflow.setCurrentDetails(md.toString());
        reportToFleet();
    }

    /** Tells the webhook of a phase change; every phase {@link #publish} shows is one. */
    void announcePhase() {
        if (notifier != null) notifier.phase(state.phase);
    }

    /** Tells the webhook that the gate waits for an approval. */
    void approvalAwaited(String how) {
        if (notifier != null) notifier.approvalAwaited(how);
    }

    /** The webhook's last event of a failed migration, then the wait for its delivery. */
    void notifyFailed(String message) {
        if (notifier == null) return;
        notifier.failed(message);
        flush();
    }

    /** Waits a while for the webhook's queued events, as the migration ends. */
    void flush() {
        if (notifier != null) notifier.flush();
    }

    /** Before the run continues as new: the queued events go out first, unless {@code stop}. */
    void drain(BooleanSupplier stop) {
        if (notifier != null) notifier.drain(stop);
    }

    /** The webhook goes on from an earlier run's numbering and last announced phase. */
    void resume(Continuation c) {
        if (notifier != null) notifier.resume(c.notified(), c.announcedPhase());
    }

    /** How many webhook events were numbered so far. */
    int notified() {
        return notifier == null ? 0 : notifier.sequence();
    }

    /** The phase the webhook last heard of; null without one. */
    Phase announced() {
        return notifier == null ? null : notifier.announced();
    }

    MigrationStatus status() {
        return state.snapshot(spec, now());
    }

    ReportLocation writeReport() {
        return activities.writeReport(spec, results.report(status()));
    }

    void writeReportQuietly() {
        try {
            writeReport();
        } catch (ActivityFailure f) {
            state.note(now(), "the report could not be written: " + Failures.rootMessage(f));
        }
    }

    /**
     * A fleet cannot query its migrations from workflow code, so each tells it of its phase changes.
     * A migration started on its own has no parent and sends nothing, so its history is as before.
     */
    private void reportToFleet() {
        if (state.phase == state.reportedPhase) return;
        state.reportedPhase = state.phase;
        Workflow.getInfo()
                .getParentWorkflowId()
                .ifPresent(parent -> Async.procedure(
                                Workflow.newUntypedExternalWorkflowStub(parent)::signal,
                                FleetWorkflow.Names.PROGRESS,
                                new Object[] {
                                    new MigrationProgress(
                                            spec.name(), ++state.fleetReports, state.phase, state.waitingFor)
                                })
                        // A fleet that ended (or was terminated) cannot hear it; the migration goes on regardless.
                        .exceptionally(e -> null));
    }
}
