package dev.switchover.workflows;

import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.BenchmarkResult;
import dev.switchover.workflows.activities.ChecklistResult;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.MigrationReport;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.status.MigrationStatus;

/**
 * What the steps done so far returned: later steps and the undo steps act on them (the
 * preparation's slot, the freeze's final position), and the report lists them all. Null until
 * the step has run.
 */
final class StepResults {
    PreflightReport preflight;
    BenchmarkResult benchmark;
    SourcePreparation preparation;
    BaseCopyResult baseCopy;
    FrozenSource frozen;
    SyncProof sync;
    PromotionResult promotion;
    TrafficSwitchResult traffic;
    BackupResult backup;
    ChecklistResult checklist;

    /** The results an earlier run carried over: the steps before the wait it continued in. */
    void restore(Continuation c) {
        preflight = c.preflight();
        benchmark = c.benchmark();
        preparation = c.preparation();
        baseCopy = c.baseCopy();
    }

    MigrationReport report(MigrationStatus status) {
        return new MigrationReport(
                status,
                preflight,
                benchmark,
                preparation,
                baseCopy,
                frozen,
                sync,
                promotion,
                traffic,
                backup,
                checklist);
    }
}
