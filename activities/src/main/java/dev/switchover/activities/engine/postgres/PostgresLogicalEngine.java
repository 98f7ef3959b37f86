package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.DatabaseEngine;
import dev.switchover.activities.engine.Progress;
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
 * The runbook's PostgreSQL steps by logical replication (replication.method: logical), which
 * crosses major versions: roles and each database's schema copied first, the data by a
 * subscription per database to the source's publication, cut over by freezing the source as the
 * physical method does, setting the sequences, proving each subscription confirmed the freeze's
 * final LSN and the schemas equal, then dropping the subscriptions. Each step is a class of its
 * own in this package ({@code Logical*}); the backup and the memory checks are the physical
 * method's, since the new primary is an ordinary cluster either way.
 */
public final class PostgresLogicalEngine implements DatabaseEngine {
    private final PgLogins logins;
    private final LogicalCopy copy;
    private final LogicalLag lag;
    private final LogicalCutover cutover;
    private final LogicalPromotion promotion;
    private final PgBackup backup;
    private final PgMemory memory;
    private final LogicalPreflight preflight;
    private final LogicalSourcePreparation sourcePreparation;

    public PostgresLogicalEngine(Hosts hosts) {
        this.logins = new PgLogins(hosts);
        this.copy = new LogicalCopy(logins);
        this.lag = new LogicalLag(logins);
        this.cutover = new LogicalCutover(logins);
        this.promotion = new LogicalPromotion(logins, cutover, new LogicalTargetClosing(logins));
        this.preflight = new LogicalPreflight(logins);
        this.sourcePreparation = new LogicalSourcePreparation(logins);
        this.backup = new PgBackup(logins);
        this.memory = new PgMemory(logins);
    }

    @Override
    public PreflightReport preflight(MigrationSpec spec) {
        return preflight.preflight(spec);
    }

    @Override
    public String targetDataDirectory(MigrationSpec spec) {
        return logins.targetDataDirectory(spec);
    }

    @Override
    public SourcePreparation prepareSource(MigrationSpec spec) {
        return sourcePreparation.prepareSource(spec);
    }

    @Override
    public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
        sourcePreparation.undoPrepareSource(spec, preparation);
    }

    @Override
    public String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        return sourcePreparation.retireOldSource(spec, preparation);
    }

    @Override
    public BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
        return copy.baseCopy(spec, progress);
    }

    @Override
    public String quietTarget(MigrationSpec spec) {
        return copy.quietTarget(spec);
    }

    @Override
    public LagSample measureLag(MigrationSpec spec) {
        return lag.measureLag(spec);
    }

    @Override
    public FrozenSource freezeWrites(MigrationSpec spec) {
        return cutover.freezeWrites(spec);
    }

    @Override
    public void unfreezeWrites(MigrationSpec spec) {
        cutover.unfreezeWrites(spec);
    }

    @Override
    public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        return cutover.verifySync(spec, frozen, progress);
    }

    @Override
    public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        return promotion.promote(spec, frozen, Progress.NONE);
    }

    @Override
    public PromotionResult promote(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        return promotion.promote(spec, frozen, progress);
    }

    @Override
    public boolean targetPromoted(MigrationSpec spec) {
        return promotion.targetPromoted(spec);
    }

    @Override
    public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        return promotion.promoteWithoutSource(spec, frozen, Progress.NONE);
    }

    @Override
    public BackupResult backupNewPrimary(MigrationSpec spec, String backupName, Progress progress) {
        return backup.backupNewPrimary(spec, backupName, progress);
    }

    @Override
    public List<Check> memoryChecks(MigrationSpec spec) {
        return memory.memoryChecks(spec);
    }
}
