package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.DatabaseEngine;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
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
import dev.switchover.workflows.spec.ReplicationSpec;
import java.util.List;

/**
 * replication.method: auto. Preflight compares the source's major version with the one the target
 * is meant for and runs the preflight of the method that fits: physical for the same major, logical
 * for a newer one; a target older than its source is refused. Its report names the method, and the
 * workflow carries on with a spec that names it, so no later step comes here.
 */
public final class PostgresAutoMethod implements DatabaseEngine {
    private final PgLogins logins;
    private final DatabaseEngine physical;
    private final DatabaseEngine logical;

    public PostgresAutoMethod(Hosts hosts, DatabaseEngine physical, DatabaseEngine logical) {
        this.logins = new PgLogins(hosts);
        this.physical = physical;
        this.logical = logical;
    }

    @Override
    public PreflightReport preflight(MigrationSpec spec) {
        String sourceVersion;
        try (PgSession s = logins.source(spec)) {
            sourceVersion = s.one("SHOW server_version");
        }
        String targetMajor = targetMajor(spec);
        String method = choose(spec, sourceVersion, targetMajor);
        PreflightReport report =
                (method.equals(ReplicationSpec.PHYSICAL) ? physical : logical).preflight(spec.withMethod(method));
        return report.withChecks(List.of(Check.ok("replication method", because(method, sourceVersion, targetMajor))))
                .withMethod(method);
    }

    /**
     * physical for the same major, logical for a newer target; a fatal refusal for an older one,
     * which neither method can fill (a newer server's data files and dumps do not load into an older).
     */
    static String choose(MigrationSpec spec, String sourceVersion, String targetMajor) {
        int source = number(TargetCluster.major(sourceVersion));
        int target = number(targetMajor);
        if (target == source) return ReplicationSpec.PHYSICAL;
        if (target > source) return ReplicationSpec.LOGICAL;
        throw Failures.fatal(
                Failures.PREFLIGHT_FAILED,
                "a newer server cannot be moved to an older one: the source "
                        + spec.source().address()
                        + " runs PostgreSQL " + sourceVersion + " and the target "
                        + spec.target().address()
                        + " is meant for PostgreSQL " + targetMajor + ". Point target.database at a cluster of "
                        + source + " or newer (install postgresql-" + source + " or later on the target).");
    }

    /** A major's number, also of a pre-release such as {@code 18beta1}. */
    private static int number(String major) {
        return Integer.parseInt(major.replaceFirst("^([0-9]+).*", "$1"));
    }

    private static String because(String method, String sourceVersion, String targetMajor) {
        return "auto chose " + method + ": the source runs PostgreSQL " + sourceVersion + ", the target is meant for "
                + targetMajor;
    }

    /**
     * The major the target is meant for: its running server's, asked with its own admin login, or
     * else its data directory's cluster (PG_VERSION, read as the cluster's owner: the directory is
     * 0700 and the SSH user need not be root).
     */
    private String targetMajor(MigrationSpec spec) {
        String asked;
        try (PgSession t = logins.target(spec, false)) {
            return TargetCluster.major(t.one("SHOW server_version"));
        } catch (RuntimeException e) {
            asked = e.getMessage();
        }
        String dir = logins.targetDataDirectory(spec);
        CommandResult cluster = logins.ssh(spec.target())
                .run(Command.of("cat", dir + "/PG_VERSION")
                        .asUser(spec.target().database().osUser()));
        String major = cluster.ok() ? cluster.stdout().strip() : "";
        if (major.matches("[0-9]+")) return major;
        throw Failures.fatal(
                Failures.PREFLIGHT_FAILED,
                "replication.method auto cannot tell which PostgreSQL the target "
                        + spec.target().address()
                        + " is meant for: its server did not answer (" + asked + ") and its data directory " + dir
                        + " holds no PG_VERSION. Start the target's server, or set replication.method to physical"
                        + " (same major version) or logical (a newer one).");
    }

    /** Every step after preflight runs with the resolved spec; reaching one here is a workflow bug. */
    private static IllegalStateException resolvedInPreflight(String step) {
        return new IllegalStateException("replication.method auto is resolved in preflight and the workflow carries"
                + " on with physical or logical, so " + step + " never runs with auto; this is a bug in the workflow");
    }

    @Override
    public String targetDataDirectory(MigrationSpec spec) {
        return physical.targetDataDirectory(spec);
    }

    @Override
    public SourcePreparation prepareSource(MigrationSpec spec) {
        throw resolvedInPreflight("prepare-source");
    }

    @Override
    public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
        throw resolvedInPreflight("undoing prepare-source");
    }

    @Override
    public String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        throw resolvedInPreflight("retiring the old source");
    }

    @Override
    public BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
        throw resolvedInPreflight("the base copy");
    }

    @Override
    public String quietTarget(MigrationSpec spec) {
        throw resolvedInPreflight("quieting the target");
    }

    @Override
    public LagSample measureLag(MigrationSpec spec) {
        throw resolvedInPreflight("measuring the lag");
    }

    @Override
    public FrozenSource freezeWrites(MigrationSpec spec) {
        throw resolvedInPreflight("the freeze");
    }

    @Override
    public void unfreezeWrites(MigrationSpec spec) {
        throw resolvedInPreflight("lifting the freeze");
    }

    @Override
    public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        throw resolvedInPreflight("the sync proof");
    }

    @Override
    public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        throw resolvedInPreflight("promotion");
    }

    @Override
    public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        throw resolvedInPreflight("promotion without the source");
    }

    @Override
    public boolean targetPromoted(MigrationSpec spec) {
        throw resolvedInPreflight("asking whether the target was promoted");
    }

    @Override
    public BackupResult backupNewPrimary(MigrationSpec spec, String backupName, Progress progress) {
        return physical.backupNewPrimary(spec, backupName, progress);
    }

    @Override
    public List<Check> memoryChecks(MigrationSpec spec) {
        return physical.memoryChecks(spec);
    }
}
