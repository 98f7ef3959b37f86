package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base copy, whatever its method: the source's replication account checked, a finished copy
 * found by its marker, the target proved ours to empty (the wipe guard) and the replication login
 * proved before anything on it is touched, the target emptied under an "unfinished" marker, the
 * {@link MySqlCopyMethod} run, the marker made "complete", and the target's replication set up.
 */
final class MySqlBaseCopy {
    private static final Logger log = LoggerFactory.getLogger(MySqlBaseCopy.class);

    private final MySqlEngine engine;
    private final Hosts hosts;
    private final Dialect dialect;
    private final MySqlCopyMethod method;

    MySqlBaseCopy(MySqlEngine engine, Hosts hosts, Dialect dialect, MySqlCopyMethod method) {
        this.engine = engine;
        this.hosts = hosts;
        this.dialect = dialect;
        this.method = method;
    }

    /** The copy's job on the target, which a new attempt stops first. */
    static String copyJob(MigrationSpec spec) {
        return "basecopy-" + spec.name();
    }

    /**
     * Copies the source into the target and sets up the target's replication from it. A retry
     * after a finished copy only sets up the replication again.
     */
    BaseCopyResult run(MigrationSpec spec, Progress progress) {
        RemoteHost targetHost = hosts.ssh(spec.target());
        // A dump left running by a dead worker would keep loading into the databases this attempt drops.
        targetHost.stopJob(copyJob(spec));
        String sourceId;
        List<DumpProgress.Table> tables;
        List<String> schemas;
        try (MySqlSession s = engine.source(spec)) {
            sourceId = engine.identity(s);
            if (s.one(
                            "SELECT 1 FROM mysql.user WHERE user = ? AND host = ?",
                            spec.replication().user(),
                            spec.target().address())
                    == null) {
                throw Failures.fatal(
                        Failures.PREFLIGHT_FAILED,
                        "the replication account " + spec.replication().user() + "@"
                                + spec.target().address()
                                + " is gone from the source; prepare-source creates it, so run the migration"
                                + " again from the start");
            }
            schemas = MySqlEngine.userSchemas(s);
            tables = engine.tables(s);
        }
        String[] marker = engine.marker().read(spec);
        try (MySqlSession t = engine.target(spec)) {
            if (copyFinished(spec, t, marker, sourceId)) {
                // Configured again: the attempt that finished the copy may have died before it pointed the
                // replica at the source, or after, before closing the target to clients.
                engine.replica().configure(spec, t);
                engine.replica().start(spec, t);
                return new BaseCopyResult(0, 0, true, method.name());
            }
            TargetGuard.Verdict verdict = TargetGuard.decide(
                    sourceId, spec.target().address(), engine.marker().facts(spec, t));
            engine.login().prove(spec, targetHost, sourceId);
            log.info("target {}: {}; emptying it for the copy", spec.target().address(), verdict.reason());
            engine.marker().write(spec, "unfinished", sourceId);
            empty(t);
            method.prepareTarget(spec, t);
        }
        Instant started = Instant.now();
        long bytes = method.copy(spec, schemas, tables, progress);
        engine.marker().write(spec, "complete", sourceId);
        try (MySqlSession t = engine.target(spec)) {
            engine.replica().configure(spec, t);
            engine.replica().start(spec, t);
        }
        return new BaseCopyResult(
                bytes, Duration.between(started, Instant.now()).toSeconds(), false, method.name());
    }

    /**
     * Whether this migration's copy of {@code sourceId} is complete on the target, so a retried copy
     * only sets up (again) its replication: the marker says so, and the target replicates from the
     * source or from nothing yet. An attempt that died or failed between the marker and the
     * replica's first connection to the source leaves the source's identity blank in the replica's
     * status; taking that for "not ours" made a whole new dump (MySqlCrashIT saw it under load).
     */
    private boolean copyFinished(MigrationSpec spec, MySqlSession t, String[] marker, String sourceId) {
        if (marker == null || !"complete".equals(marker[0]) || !sourceId.equals(marker[1])) return false;
        Map<String, String> status = engine.replica().status(t);
        if (status == null) return true;
        Version v = MySqlEngine.version(t);
        if (!spec.source().address().equals(status.get(dialect.column(v, "Source_Host")))) return false;
        return dialect.namesSourceOrNone(v, status, sourceId);
    }

    /** Stops any replication, drops the user databases and forgets the binary log and GTIDs. */
    private void empty(MySqlSession t) {
        Version v = MySqlEngine.version(t);
        t.execute("SET SESSION sql_log_bin = 0");
        t.execute(dialect.stopReplica(v));
        t.execute(dialect.resetReplicaAll(v));
        engine.replica().writable(t);
        for (String schema : MySqlEngine.userSchemas(t)) t.execute("DROP DATABASE " + MySqlSession.ident(schema));
        t.execute(dialect.resetBinaryLogs(v));
        for (String sql : dialect.resetReplicaPosition()) t.execute(sql);
    }
}
