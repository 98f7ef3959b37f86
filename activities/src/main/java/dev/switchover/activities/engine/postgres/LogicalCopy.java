package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logical copy method: the roles, then per moved database its schema and a subscription whose
 * initial copy moves the rows, then the rest of the schema once every table is in sync. The
 * target keeps its own cluster and major version. A database is replaced only behind the guard:
 * the target holds none of them with user tables, or its marker says the copy in it is this
 * migration's own unfinished one.
 */
final class LogicalCopy {
    private static final Logger log = LoggerFactory.getLogger(PostgresLogicalEngine.class);
    static final String METHOD = "logical replication";
    /** How often the initial copy's progress is read. */
    private static final Duration POLL = Duration.ofSeconds(2);

    private final PgLogins logins;
    private final LogicalSchema schema;
    private final LogicalSubscriptions subscriptions;
    private final LogicalTargetClosing closing;
    private final PromotionMarker marker;

    LogicalCopy(PgLogins logins) {
        this.logins = logins;
        this.schema = new LogicalSchema(logins);
        this.subscriptions = new LogicalSubscriptions(logins);
        this.closing = new LogicalTargetClosing(logins);
        this.marker = new PromotionMarker(logins);
    }

    BaseCopyResult baseCopy(MigrationSpec spec, Progress progress) {
        String sourceId;
        List<String> databases;
        try (PgSession s = logins.source(spec)) {
            sourceId = s.one("SELECT system_identifier::text FROM pg_control_system()");
            databases = LogicalNames.movedDatabases(spec, s);
        }
        RemoteHost target = logins.ssh(spec.target());
        String bindir = targetBindir(spec, target);
        TargetCluster cluster = new TargetCluster(target, spec, logins.targetDataDirectory(spec), bindir, logins);
        if (sourceId.equals(cluster.completeCopyOf()) && allSubscribed(spec, databases) && slotsKept(spec, databases)) {
            // A re-run after a rollback, which disabled them: they stream again from where they were.
            closing.close(spec);
            marker.clear(spec);
            for (String db : databases) subscriptions.enable(spec, db);
            return new BaseCopyResult(0, 0, true, METHOD);
        }
        boolean ours = ownCopy(spec, sourceId, cluster, marker);
        guard(spec, databases, ours);
        cluster.markUnfinished(sourceId);
        marker.clear(spec);
        Instant started = Instant.now();
        // Before the roles arrive: none of them may log in to the target until promotion.
        closing.close(spec);
        String roles = schema.copyRoles(spec, bindir);
        log.info("target {}: copied {} from the source", spec.target().address(), roles);
        List<String> files = new ArrayList<>();
        for (String db : databases) {
            String file = schema.dump(spec, bindir, db);
            replace(spec, db, ours);
            schema.restoreBeforeData(spec, bindir, db, file);
            progress.report(new CopyProgress(0, 0, "schema of " + db + " restored; subscribing"));
            subscriptions.create(spec, db);
            progress.report(new CopyProgress(0, 0, db + " subscribed; its initial copy begins"));
            files.add(file);
        }
        LogicalSyncProgress sync = new LogicalSyncProgress(logins, spec, databases);
        long bytes = sync.awaitReady(progress, POLL);
        for (int i = 0; i < databases.size(); i++) {
            progress.report(new CopyProgress(bytes, bytes, "in sync; indexes and foreign keys of " + databases.get(i)));
            schema.restoreAfterData(spec, bindir, databases.get(i), files.get(i));
        }
        cluster.markComplete(sourceId);
        progress.report(new CopyProgress(bytes, bytes, "copied; every table streams from the source"));
        return new BaseCopyResult(
                bytes, Duration.between(started, Instant.now()).toSeconds(), false, METHOD);
    }

    /**
     * Whether the target's databases are this migration's own copy of this source, which a new
     * attempt may replace: unfinished, or complete but never opened to clients (a rollback after
     * the copy, whose slots it dropped, so it cannot catch up). Once promoted, the target is
     * somebody's primary.
     */
    static boolean ownCopy(MigrationSpec spec, String sourceId, TargetCluster cluster, PromotionMarker marker) {
        if (sourceId.equals(cluster.unfinishedCopyOf())) return true;
        return sourceId.equals(cluster.completeCopyOf())
                && !PromotionMarker.PROMOTED.strip().equals(marker.state(spec));
    }

    /** Whether the source still keeps each subscription's slot (a rollback drops them). */
    private boolean slotsKept(MigrationSpec spec, List<String> databases) {
        try (PgSession s = logins.source(spec)) {
            for (String db : databases) {
                if (s.one("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", LogicalNames.slot(spec, db))
                        == null) return false;
            }
            return true;
        }
    }

    private boolean allSubscribed(MigrationSpec spec, List<String> databases) {
        try {
            return databases.stream().allMatch(db -> subscriptions.exists(spec, db));
        } catch (RuntimeException e) {
            return false; // a database missing on the target: not copied
        }
    }

    /**
     * The databases the copy will replace on the target hold no user tables, unless the marker
     * says they are this migration's own unfinished copy; anything else is somebody's data.
     */
    private void guard(MigrationSpec spec, List<String> databases, boolean ours) {
        if (ours) return;
        List<String> holding = new ArrayList<>();
        try (PgSession t = logins.target(spec, "postgres")) {
            for (List<String> row : t.rows("SELECT datname FROM pg_database WHERE NOT datistemplate")) {
                if (!databases.contains(row.get(0))) continue;
                try (PgSession db = logins.target(spec, row.get(0))) {
                    String tables =
                            db.one("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                    + " WHERE c.relkind IN ('r','p','m') AND n.nspname NOT IN ('pg_catalog','information_schema')"
                                    + " AND n.nspname NOT LIKE 'pg_toast%'");
                    if (!"0".equals(tables)) holding.add(row.get(0) + " (" + tables + " tables)");
                }
            }
        }
        if (!holding.isEmpty()) {
            throw Failures.fatal(
                    Failures.WIPE_REFUSED,
                    "refusing to replace databases on " + spec.target().address() + " that hold data and are not this"
                            + " migration's unfinished copy: " + holding + ". Move or drop them on the target first,"
                            + " or choose another target.");
        }
    }

    /** Drops {@code database} on the target (with an earlier attempt's subscription in it) so the copy can create it. */
    private void replace(MigrationSpec spec, String database, boolean ours) {
        boolean exists;
        try (PgSession t = logins.target(spec, "template1")) {
            exists = t.one("SELECT 1 FROM pg_database WHERE datname = ?", database) != null;
        }
        if (!exists) return;
        if (ours && subscriptions.exists(spec, database)) subscriptions.drop(spec, database);
        try (PgSession t = logins.target(spec, "template1")) {
            t.execute("DROP DATABASE " + PgSession.ident(database) + " WITH (FORCE)");
        }
        log.info("target {}: dropped {} to copy it afresh", spec.target().address(), database);
    }

    /** Stops every subscription of this migration on the target, so it no longer asks the source for changes. */
    String quietTarget(MigrationSpec spec) {
        List<String> databases;
        try (PgSession s = logins.source(spec)) {
            databases = LogicalNames.movedDatabases(spec, s);
        }
        List<String> quieted = new ArrayList<>();
        for (String db : databases) {
            try {
                if (subscriptions.exists(spec, db)) {
                    subscriptions.disable(spec, db);
                    quieted.add(db);
                }
            } catch (RuntimeException e) {
                log.info(
                        "target {}: {} has no subscription to disable ({})",
                        spec.target().address(),
                        db,
                        e.getMessage());
            }
        }
        return quieted.isEmpty()
                ? "left as it is: " + spec.target().address() + " has no subscription of this migration"
                : "the subscriptions of " + quieted + " on " + spec.target().address() + " were disabled, so they no"
                        + " longer stream from the source; a new start of the migration copies again";
    }

    /** The target's own server binaries: its running server's major version. */
    private String targetBindir(MigrationSpec spec, RemoteHost target) {
        String major;
        try (PgSession t = logins.target(spec, "postgres")) {
            major = TargetCluster.major(t.one("SHOW server_version"));
        }
        return target.run(dev.switchover.activities.ssh.Command.of("sh", "-c", TargetCluster.FIND_BINDIR, "sh", major))
                .orThrow("finding the target's PostgreSQL " + major + " binaries")
                .stdout()
                .strip();
    }
}
