package dev.switchover.workflows.activities;

import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.activity.ActivityInterface;

/**
 * One method per runbook step, named as the step. Implementations pick the engine from the spec;
 * the workflow never asks which engine it runs. Every method is idempotent: a retry after a
 * worker crash finds the work done (or half done) and finishes it, never repeats a destructive
 * act. Timeouts and retries for each are declared in {@code ActivityProfiles}.
 */
@ActivityInterface
public interface MigrationActivities {

    /** Both hosts reachable, versions compatible, space enough, settings that must change. */
    PreflightReport preflight(MigrationSpec spec);

    /** fio on the target's data volume; the workflow compares IOPS with the floor. */
    BenchmarkResult benchmarkTarget(MigrationSpec spec);

    /** Replication account, access rule, settings (reload, not restart) and slot on the source. */
    SourcePreparation prepareSource(MigrationSpec spec);

    /** Undoes exactly what {@link #prepareSource} recorded as its own changes. */
    void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation);

    /** Guarded wipe of the target, base copy with progress heartbeats, target started as replica. */
    BaseCopyResult baseCopy(MigrationSpec spec);

    /** One sample of replication lag. */
    LagSample measureLag(MigrationSpec spec);

    /** The operator's stop-application hook. */
    void stopApplication(MigrationSpec spec);

    /** The operator's resume-application hook, run when a cutover is rolled back. */
    void resumeApplication(MigrationSpec spec);

    /** Source refuses writes; returns its final position. */
    FrozenSource freezeWrites(MigrationSpec spec);

    /** Source takes writes again: the undo of {@link #freezeWrites}. */
    void unfreezeWrites(MigrationSpec spec);

    /** Waits until the target has replayed the source's final position, or fails. */
    SyncProof verifySync(MigrationSpec spec, FrozenSource frozen);

    /** Promotes the target after proving it is a replica of this source holding the final position. */
    PromotionResult promote(MigrationSpec spec, FrozenSource frozen);

    /**
     * Whether the target takes writes now, asked of the target itself: after an abort during
     * promotion, the phase cannot say whether the attempt that ran got as far as promoting.
     */
    boolean targetPromoted(MigrationSpec spec);

    /**
     * Rollback before promotion: the target, if it is this migration's replica of the source,
     * stops replicating rather than retrying against the source every few seconds. Says what it did.
     */
    String quietTarget(MigrationSpec spec);

    /**
     * Promotes the target without the source's proof, on an operator's decision while the source
     * cannot be reached: the target must still prove it is a copy of the source holding the freeze's
     * final position, and nothing of its own.
     */
    PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen);

    /** Points clients at the new primary: the operator's command ({@code traffic.type: command}). */
    TrafficSwitchResult switchTraffic(MigrationSpec spec);

    /** PgBouncer: holds the database's clients (PAUSE) before the source is frozen. */
    TrafficSwitchResult pauseTraffic(MigrationSpec spec);

    /**
     * PgBouncer: points the database's entry at the target and reloads, while its clients are held
     * and before promotion; nothing reaches the target until {@link #resumeTraffic}.
     */
    TrafficSwitchResult repointTraffic(MigrationSpec spec);

    /** PgBouncer: lets the held clients through to the new primary (RESUME). */
    TrafficSwitchResult resumeTraffic(MigrationSpec spec);

    /** PgBouncer: the undo of {@link #pauseTraffic}: the entry pointed back at the source if it was moved, then RESUME. */
    TrafficSwitchResult resumeTrafficOnSource(MigrationSpec spec);

    /**
     * After promotion, takes off the old source what the migration put there for the copy (its slot,
     * replication account and access rule), keeping the fence. Bounded and never fatal: returns what
     * was removed and what is left there, for the operator.
     */
    String retireOldSource(MigrationSpec spec, SourcePreparation preparation);

    /** A fresh backup of the new primary. */
    BackupResult backupNewPrimary(MigrationSpec spec);

    /** Time sync, firewall and memory tuning on the new primary. */
    ChecklistResult runChecklist(MigrationSpec spec);

    /** Writes the report (JSON and Markdown) on the worker's machine. */
    ReportLocation writeReport(MigrationSpec spec, MigrationReport report);
}
