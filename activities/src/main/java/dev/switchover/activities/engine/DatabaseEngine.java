package dev.switchover.activities.engine;

import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;

/**
 * What differs between PostgreSQL, MySQL and MariaDB, one method per engine-specific runbook
 * step. The fio benchmark, hooks, traffic switch and report are the same for all and live in the
 * activities. Every method is idempotent and proves the host's state before changing it.
 */
public interface DatabaseEngine {
    PreflightReport preflight(MigrationSpec spec);

    SourcePreparation prepareSource(MigrationSpec spec);

    void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation);

    BaseCopyResult baseCopy(MigrationSpec spec, Progress progress);

    LagSample measureLag(MigrationSpec spec);

    FrozenSource freezeWrites(MigrationSpec spec);

    void unfreezeWrites(MigrationSpec spec);

    SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress);

    PromotionResult promote(MigrationSpec spec, FrozenSource frozen);

    /** {@link #promote(MigrationSpec, FrozenSource)}, saying by heartbeat which of its stages it has passed. */
    default PromotionResult promote(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        return promote(spec, frozen);
    }

    /** Whether the target takes writes now, asked of the target itself (an abort during promotion needs the truth). */
    boolean targetPromoted(MigrationSpec spec);

    /**
     * After a rollback before promotion: the target, if it is this migration's replica of the
     * source, stops replicating, so it does not retry against a source whose access the rollback
     * removes (and fill both logs every few seconds). Says what it did, or why it left the target.
     */
    String quietTarget(MigrationSpec spec);

    /**
     * Removes from the old source, after promotion, what prepare-source put there for the copy, and
     * says what was removed and what is left; the fence stays. Engines that can change nothing on a
     * fenced source say so.
     */
    default String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        return "the replication account stays on the old source "
                + spec.source().address()
                + " (it is read-only now, so nothing can be dropped there): drop it when you retire the server";
    }

    /**
     * Promotes on the operator's decision while the source cannot be reached: the target's own proof
     * only (a copy of the source, holding the freeze's final position and nothing of its own).
     */
    default PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        throw dev.switchover.workflows.Failures.fatal(
                dev.switchover.workflows.Failures.WRONG_HOST,
                "promoting without the" + " source's proof is not built for "
                        + spec.engine().id() + " yet: start the source's server again, or abort");
    }

    BackupResult backupNewPrimary(MigrationSpec spec, String backupName, Progress progress);

    /** The engine's memory settings against the target's RAM, for the final checklist. */
    List<Check> memoryChecks(MigrationSpec spec);

    /** Where the target's data lives, for the benchmark when the spec names no directory. */
    String targetDataDirectory(MigrationSpec spec);
}
