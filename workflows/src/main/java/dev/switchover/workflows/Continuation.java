package dev.switchover.workflows;

import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.BenchmarkResult;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.status.StepRecord;
import java.time.Instant;
import java.util.List;

/**
 * What a migration hands its next run when it continues as new while it waits (catching up, or
 * at the cutover gate, for days if the operator wants): the results of the steps already done,
 * which its undo steps need, and everything status shows. Temporal ends a workflow whose history
 * passes 51,200 events, and a gate polled every few seconds writes that in a day; a new run starts
 * with an empty history and this. Null in a migration's first run and in every history recorded
 * before it existed.
 *
 * @param run the number of the run that receives it: 2 for the first continuation
 * @param phase where the new run goes on: {@link Phase#CATCH_UP} or {@link Phase#AWAIT_CUTOVER}
 * @param quietTargetOnRollback whether the rollback stops the target's replication first (the
 *     first run's version of that change)
 * @param notified the webhook events numbered so far, so the next run numbers on from there
 * @param announcedPhase the phase the webhook last heard of
 * @param reportedPhase the phase the fleet (if any) last heard of, and {@code fleetReports} how
 *     many reports it had
 */
public record Continuation(
        int run,
        Phase phase,
        PreflightReport preflight,
        BenchmarkResult benchmark,
        SourcePreparation preparation,
        BaseCopyResult baseCopy,
        boolean quietTargetOnRollback,
        List<StepRecord> steps,
        List<String> notes,
        LagSample lag,
        Instant inSyncSince,
        List<LagTrend.Point> trend,
        Instant catchUpDeadline,
        Instant deadlineHeldSince,
        boolean paused,
        String pausedBy,
        Approval approval,
        Instant approvedAt,
        boolean approvalAnnounced,
        boolean retentionWarned,
        int notified,
        Phase announcedPhase,
        Phase reportedPhase,
        long fleetReports) {

    /** What a run hands the next, numbered {@code run}; see {@link MigrationState#restore} for the way back. */
    static Continuation carrying(int run, MigrationState state, StepResults results, int notified, Phase announced) {
        return new Continuation(
                run,
                state.phase,
                results.preflight,
                results.benchmark,
                results.preparation,
                results.baseCopy,
                state.quietTargetOnRollback,
                List.copyOf(state.steps),
                List.copyOf(state.notes),
                state.lag,
                state.inSyncSince,
                state.trend.points(),
                state.catchUpDeadline,
                state.deadlineHeldSince,
                state.paused,
                state.pausedBy,
                state.approval,
                state.approvedAt,
                state.approvalAnnounced,
                state.retentionWarned,
                notified,
                announced,
                state.reportedPhase,
                state.fleetReports);
    }

    /** Thrown by a wait that has made the history long enough; the workflow method continues as new. */
    static final class Requested extends RuntimeException {
        Requested() {
            super("continue as new", null, false, false);
        }
    }
}
