package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.DatabaseEngine;
import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.Failures;
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
    private final PgBackup backup;
    private final PgMemory memory;
    private final LogicalPreflight preflight;
    private final LogicalSourcePreparation sourcePreparation;

    public PostgresLogicalEngine(Hosts hosts) {
        this.logins = new PgLogins(hosts);
        this.preflight = new LogicalPreflight(logins);
        this.sourcePreparation = new LogicalSourcePreparation(logins);
        this.backup = new PgBackup(logins);
        this.memory = new PgMemory(logins);
    }

    /** A step this version does not carry out yet: refused at once, never half done. */
    private static RuntimeException notYet(String step) {
        return Failures.fatal(
                Failures.PREFLIGHT_FAILED,
                "PostgreSQL's logical replication cannot " + step + " in this version of switchover yet;"
                        + " use replication.method: physical between servers of the same major version");
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
        throw notYet("copy");
    }

    @Override
    public String quietTarget(MigrationSpec spec) {
        throw notYet("quiet the target");
    }

    @Override
    public LagSample measureLag(MigrationSpec spec) {
        throw notYet("measure the lag");
    }

    @Override
    public FrozenSource freezeWrites(MigrationSpec spec) {
        throw notYet("freeze writes");
    }

    @Override
    public void unfreezeWrites(MigrationSpec spec) {
        throw notYet("unfreeze writes");
    }

    @Override
    public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        throw notYet("verify the sync");
    }

    @Override
    public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        throw notYet("promote");
    }

    @Override
    public boolean targetPromoted(MigrationSpec spec) {
        throw notYet("tell whether the target was promoted");
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
