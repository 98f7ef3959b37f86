package dev.switchover.workflows.activities;

import dev.switchover.workflows.status.MigrationStatus;

/** Everything the report says: the final status and each step's result. */
public record MigrationReport(
        MigrationStatus status,
        PreflightReport preflight,
        BenchmarkResult benchmark,
        SourcePreparation preparation,
        BaseCopyResult baseCopy,
        FrozenSource frozen,
        SyncProof sync,
        PromotionResult promotion,
        TrafficSwitchResult traffic,
        BackupResult backup,
        ChecklistResult checklist) {}
