package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The physical copy method: pg_basebackup -R into the target's data directory over the
 * source's slot, then the target started as a streaming standby. The data directory is emptied
 * only behind {@link DataDirectoryGuard} and a proven replication login; a rollback stops the
 * standby again.
 */
final class PhysicalCopy {
    /** Logged as the engine, as before the engine was split into its steps: operators' filters name it. */
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);

    /** The longest a base copy may run before the host's own timeout kills it. */
    static final Duration COPY_TIMEOUT = Duration.ofHours(47);

    /** How long a started server gets to accept connections and begin streaming. */
    private static final Duration START_WAIT = Duration.ofSeconds(90);

    private final PgLogins logins;

    PhysicalCopy(PgLogins logins) {
        this.logins = logins;
    }

    BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
        RemoteHost target = logins.ssh(spec.target());
        // An earlier attempt's copy may still run on the target if its worker died: it would write
        // into the directory this attempt empties and hold the slot this attempt needs.
        target.stopJob(copyJob(spec));
        String sourceId;
        String dir = logins.targetDataDirectory(spec);
        TargetCluster cluster;
        // One login to the source for the whole guard: it is held until the slot is free.
        try (PgSession s = logins.source(spec)) {
            sourceId = s.one("SELECT system_identifier::text FROM pg_control_system()");
            String major = TargetCluster.major(s.one("SHOW server_version"));
            if (s.one(
                            "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?",
                            spec.replication().slot())
                    == null) {
                throw Failures.fatal(Failures.PREFLIGHT_FAILED, BaseBackupErrors.slotGone(spec));
            }
            String bindir = target.run(Command.of("sh", "-c", TargetCluster.FIND_BINDIR, "sh", major))
                    .orThrow("finding pg_ctl")
                    .stdout()
                    .strip();
            cluster = new TargetCluster(target, spec, dir, bindir, logins);

            if (cluster.isStreamingStandbyOf(sourceId, Duration.ZERO)) {
                return new BaseCopyResult(0, 0, true, "pg_basebackup");
            }
            if (sourceId.equals(cluster.completeCopyOf()) && sourceId.equals(cluster.systemIdentifier())) {
                // Copied before a crash, not yet started: start it rather than copy again.
                cluster.start();
                if (cluster.isStreamingStandbyOf(sourceId, START_WAIT))
                    return new BaseCopyResult(0, 0, true, "pg_basebackup");
            }
            DataDirectoryGuard.Verdict verdict =
                    DataDirectoryGuard.decide(sourceId, spec.target().address(), cluster.facts());
            proveReplicationLogin(spec, target, bindir, sourceId);
            log.info("target {}: {}; emptying it for the copy", spec.target().address(), verdict.reason());

            cluster.stop();
            PgSlot.releaseFromEarlierCopy(s, spec.replication().slot());
        }
        cluster.markUnfinished(sourceId);
        cluster.empty();
        Instant started = Instant.now();
        long[] total = {0};
        Command copy = Command.of(
                        "pg_basebackup",
                        "-h",
                        spec.source().address(),
                        "-p",
                        String.valueOf(spec.source().database().port()),
                        "-U",
                        spec.replication().user(),
                        "-D",
                        dir,
                        "-R",
                        "-X",
                        "stream",
                        "-S",
                        spec.replication().slot(),
                        "-c",
                        "fast",
                        "-P",
                        "-v")
                .asUser(spec.target().database().osUser())
                .withEnv("PGSSLMODE", spec.source().database().tls().id())
                .withEnv("PGAPPNAME", "switchover_" + spec.name())
                .withSecretEnv("PGPASSWORD", logins.replicationPassword(spec))
                .withJob(copyJob(spec))
                .withTimeout(COPY_TIMEOUT)
                .withHeartbeat(progress::alive);
        CommandResult r = target.runStreaming(
                copy,
                line -> BaseBackupProgress.parse(line).ifPresent(p -> {
                    total[0] = p.totalBytes();
                    progress.report(p);
                }),
                null);
        if (!r.ok()) throw BaseBackupErrors.translate(r, spec, "the base copy (pg_basebackup)");
        progress.report(new CopyProgress(total[0], total[0], "copied; starting the target as a standby"));
        cluster.markComplete(sourceId);
        cluster.start();
        if (!cluster.isStreamingStandbyOf(sourceId, START_WAIT)) {
            throw new IllegalStateException("the target started after the copy but is not streaming from "
                    + spec.source().address() + " within " + START_WAIT.toSeconds() + "s; see its server log");
        }
        return new BaseCopyResult(
                total[0], Duration.between(started, Instant.now()).toSeconds(), false, "pg_basebackup");
    }

    /**
     * Logs in from the target to the source the way pg_basebackup and then the standby will, before
     * anything on the target is touched: a refused password or a missing pg_hba rule must not leave
     * the target emptied. IDENTIFY_SYSTEM also proves the target reaches the same server the worker
     * does.
     */
    private void proveReplicationLogin(MigrationSpec spec, RemoteHost target, String bindir, String sourceId) {
        CommandResult r = target.run(Command.of(
                        bindir + "/psql", "-w", "-X", "-A", "-t", "-c", "IDENTIFY_SYSTEM", "replication=true")
                .asUser(spec.target().database().osUser())
                .withEnv("PGHOST", spec.source().address())
                .withEnv("PGPORT", String.valueOf(spec.source().database().port()))
                .withEnv("PGUSER", spec.replication().user())
                .withEnv("PGDATABASE", "postgres")
                .withEnv("PGSSLMODE", spec.source().database().tls().id())
                .withEnv("PGCONNECT_TIMEOUT", "10")
                .withEnv("PGAPPNAME", "switchover_" + spec.name())
                .withSecretEnv("PGPASSWORD", logins.replicationPassword(spec))
                .withTimeout(Duration.ofMinutes(1)));
        if (!r.ok()) throw BaseBackupErrors.translate(r, spec, "the replication login from the target");
        String seen = r.stdout().strip().split("\\|")[0];
        if (!sourceId.equals(seen)) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    spec.target().address() + " reaches a server with system identifier "
                            + seen + " at " + spec.source().address() + ", but the worker reaches one with " + sourceId
                            + ": they see different servers at that address (NAT, DNS or a proxy); give source.address as the"
                            + " target sees it.");
        }
    }

    private static String copyJob(MigrationSpec spec) {
        return "basecopy-" + spec.name();
    }

    /**
     * Stops the target's server if it holds this migration's copy (its marker, and a cluster with
     * the source identifier the marker names) and is still a standby: a standby keeps no writes of
     * its own, and a re-run's copy finds its marker and starts it again. Anything else on the target
     * is left as it is.
     */
    String quietTarget(MigrationSpec spec) {
        RemoteHost target = logins.ssh(spec.target());
        String dir = logins.targetDataDirectory(spec);
        CommandResult version = target.run(Command.of("cat", dir + "/PG_VERSION"));
        if (!version.ok())
            return "left as it is: " + dir + " on " + spec.target().address() + " holds no cluster";
        String bindir = target.run(Command.of(
                        "sh",
                        "-c",
                        TargetCluster.FIND_BINDIR,
                        "sh",
                        version.stdout().strip()))
                .orThrow("finding pg_ctl")
                .stdout()
                .strip();
        TargetCluster cluster = new TargetCluster(target, spec, dir, bindir, logins);
        String copyOf = cluster.unfinishedCopyOf() != null ? cluster.unfinishedCopyOf() : cluster.completeCopyOf();
        if (copyOf == null) {
            return "left as it is: " + dir + " on " + spec.target().address() + " holds no copy of this migration";
        }
        // A copy cut short has no server running (and may have no control file yet): nothing to stop.
        if (!cluster.running()) return "the target's server " + spec.target().address() + " was already stopped";
        // The marker lies beside the directory and outlives what is in it: it vouches only for a
        // cluster with the source's identifier, never for one created there since.
        if (!copyOf.equals(cluster.systemIdentifier())) {
            return "left running: the cluster in " + dir + " on "
                    + spec.target().address() + " is not the copy its" + " marker names (system identifier "
                    + cluster.systemIdentifier() + ", not " + copyOf + ")";
        }
        if (!Boolean.TRUE.equals(cluster.controlInRecovery())) {
            return "left running: " + spec.target().address() + " is not a standby";
        }
        cluster.stop();
        log.info("target {}: standby stopped after the rollback", spec.target().address());
        return "the target's standby " + spec.target().address() + " was stopped, so it does not retry against the"
                + " source; a new start of the migration copies or resumes it";
    }
}
