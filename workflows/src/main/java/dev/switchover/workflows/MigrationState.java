package dev.switchover.workflows;

import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.spec.CatchUpSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the workflow knows about its own progress; the status query, the Web UI's details and the
 * operator rules read it. Only the workflow thread and its handlers touch it.
 */
final class MigrationState {
    Phase phase = Phase.PREFLIGHT;
    String waitingFor = "";
    boolean paused;
    /** Promotion waits for the source to prove it is still fenced: nothing is promoted, abort still goes back. */
    boolean promotionHeld;
    /**
     * An abort during PROMOTE is accepted until the target has answered that it takes writes: the
     * running attempt is let end, then the target is asked. False on histories recorded before.
     */
    boolean abortablePromotion;
    /** The target answered, or a promotion returned, that it takes writes: from here only forward. */
    boolean targetPromoted;
    /** The operator's decision, while held, to promote without the source's proof. */
    OperatorDecision promoteWithoutSource;

    String pausedBy;
    final List<StepRecord> steps = new ArrayList<>();
    LagSample lag;
    Instant inSyncSince;
    CopyProgress copy;
    Approval approval;
    Instant approvedAt;
    Instant catchUpDeadline;
    /** Set while a pause is holding the catch-up clock; the deadline moves by the time paused. */
    Instant deadlineHeldSince;

    final List<String> notes = new ArrayList<>();
    String failure;
    AbortRequest abort;
    /** The phase the fleet (if this migration is one of a fleet's) last heard of, and how many reports it had. */
    Phase reportedPhase;

    long fleetReports;
    /** The gate announced its wait for an approval to the webhook: once per wait. */
    boolean approvalAnnounced;
    /** The note that the WAL held back for the target passed half its bound was written. */
    boolean retentionWarned;
    /** Whether the rollback stops the target's replication before the source's access goes (versioned). */
    boolean quietTargetOnRollback;

    void begin(Phase p, Instant at) {
        phase = p;
        waitingFor = "";
        steps.add(new StepRecord(p, at, null, StepRecord.Outcome.RUNNING, ""));
    }

    void end(StepRecord.Outcome outcome, String detail, Instant at) {
        int last = steps.size() - 1;
        if (last >= 0 && steps.get(last).outcome() == StepRecord.Outcome.RUNNING) {
            steps.set(last, steps.get(last).end(at, outcome, detail));
        }
    }

    void note(Instant at, String text) {
        notes.add(at + " " + text);
    }

    boolean inSync(CatchUpSpec c) {
        return lag != null && lag.within(c.maxLagBytes(), c.maxLagSeconds());
    }

    /** The lag's rate of change, from the samples. */
    final LagTrend trend = new LagTrend();

    /** Records the base copy's progress; true if the copy is the step under way, whose wait it now describes. */
    boolean copied(CopyProgress progress) {
        copy = progress;
        if (phase != Phase.BASE_COPY) return false;
        waitingFor =
                String.format(java.util.Locale.ROOT, "base copy %.1f%% (%s)", progress.percent(), progress.stage());
        return true;
    }

    /** Records a sample and keeps the start of the current in-sync stretch. */
    void sampled(LagSample sample, CatchUpSpec c, Instant at) {
        lag = sample;
        trend.add(sample, at);
        if (!inSync(c)) inSyncSince = null;
        else if (inSyncSince == null) inSyncSince = at;
    }

    /** While the target catches up or waits at the gate, how the lag moves; otherwise nothing. */
    dev.switchover.workflows.status.CatchUpProgress catchUpProgress(MigrationSpec spec) {
        if (phase != Phase.CATCH_UP && phase != Phase.AWAIT_CUTOVER) return null;
        return trend.progress(catchUpDeadline, spec.catchUp().maxLagBytes());
    }

    /** Takes over what the run before this one knew; see {@link Continuation}. */
    void restore(Continuation c) {
        phase = c.phase();
        steps.addAll(c.steps());
        notes.addAll(c.notes());
        lag = c.lag();
        inSyncSince = c.inSyncSince();
        trend.restore(c.trend());
        catchUpDeadline = c.catchUpDeadline();
        deadlineHeldSince = c.deadlineHeldSince();
        paused = c.paused();
        pausedBy = c.pausedBy();
        approval = c.approval();
        approvedAt = c.approvedAt();
        reportedPhase = c.reportedPhase();
        fleetReports = c.fleetReports();
        approvalAnnounced = c.approvalAnnounced();
        retentionWarned = c.retentionWarned();
        quietTargetOnRollback = c.quietTargetOnRollback();
    }

    /** What status answers in the moments before the workflow has read its spec. */
    MigrationStatus beforeTheSpec() {
        return new MigrationStatus(
                null,
                null,
                null,
                null,
                phase,
                "starting",
                false,
                List.of(),
                null,
                null,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                null);
    }

    MigrationStatus snapshot(MigrationSpec spec, Instant now) {
        return new MigrationStatus(
                spec.name(),
                spec.engine().id(),
                spec.source().address(),
                spec.target().address(),
                phase,
                waitingFor,
                paused,
                List.copyOf(steps),
                lag,
                inSyncSince == null ? null : Duration.between(inSyncSince, now),
                copy,
                approval,
                approvedAt,
                deadlineHeldSince == null
                        ? catchUpDeadline
                        : catchUpDeadline.plus(Duration.between(deadlineHeldSince, now)),
                List.copyOf(notes),
                failure,
                catchUpProgress(spec));
    }
}
