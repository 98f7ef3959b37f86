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
 * The runbook's PostgreSQL steps: physical streaming replication set up by pg_basebackup -R with
 * a replication slot, cut over by freezing the source, proving the target replayed its last LSN,
 * and pg_promote(). SQL goes over JDBC; file and service work over SSH. Each step is a class of
 * its own in this package, sharing the admin logins ({@link PgLogins}); this class only hands
 * each runbook step to its class.
 */
public final class PostgresEngine implements DatabaseEngine {
    private final PgLogins logins;
    private final PgPreflight preflight;
    private final PgSourcePreparation sourcePreparation;
    private final PhysicalCopy copy;
    private final PgLag lag;
    private final PgCutover cutover;
    private final PgPromotion promotion;
    private final PgBackup backup;
    private final PgMemory memory;

    public PostgresEngine(Hosts hosts) {
        this.logins = new PgLogins(hosts);
        this.preflight = new PgPreflight(logins);
        this.sourcePreparation = new PgSourcePreparation(logins);
        this.copy = new PhysicalCopy(logins);
        this.lag = new PgLag(logins);
        this.cutover = new PgCutover(logins);
        this.promotion = new PgPromotion(logins);
        this.backup = new PgBackup(logins);
        this.memory = new PgMemory(logins);
    }

    // ---- preflight ----

    @Override
    public PreflightReport preflight(MigrationSpec spec) {
        return preflight.preflight(spec);
    }

    @Override
    public String targetDataDirectory(MigrationSpec spec) {
        return logins.targetDataDirectory(spec);
    }

    // ---- prepare source ----

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

    // ---- base copy ----

    @Override
    public BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
        return copy.baseCopy(spec, progress);
    }

    @Override
    public String quietTarget(MigrationSpec spec) {
        return copy.quietTarget(spec);
    }

    // ---- catch-up ----

    @Override
    public LagSample measureLag(MigrationSpec spec) {
        return lag.measureLag(spec);
    }

    // ---- cutover ----

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
        return promotion.promote(spec, frozen);
    }

    @Override
    public boolean targetPromoted(MigrationSpec spec) {
        return promotion.targetPromoted(spec);
    }

    @Override
    public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        return promotion.promoteWithoutSource(spec, frozen);
    }

    // ---- after promotion ----

    @Override
    public BackupResult backupNewPrimary(MigrationSpec spec, String backupName, Progress progress) {
        return backup.backupNewPrimary(spec, backupName, progress);
    }

    @Override
    public List<Check> memoryChecks(MigrationSpec spec) {
        return memory.memoryChecks(spec);
    }
}
