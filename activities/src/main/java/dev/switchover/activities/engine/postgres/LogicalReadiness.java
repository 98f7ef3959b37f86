package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What each database moved must be for logical replication, asked of both hosts and changing
 * nothing: what would break the source or not reach the target is refused, naming every object
 * and the fix; what moves only in part is reported.
 */
final class LogicalReadiness {
    /**
     * Tables a publication FOR ALL TABLES carries (user tables, permanent: what
     * is_publishable_class admits) that have no row identity: no primary key and no replica
     * identity index, or REPLICA IDENTITY NOTHING. FULL is an identity.
     */
    private static final String WITHOUT_IDENTITY = "SELECT n.nspname || '.' || c.relname FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.oid >= 16384 AND c.relkind = 'r' AND c.relpersistence = 'p' AND (c.relreplident = 'n'"
            + " OR (c.relreplident = 'd' AND NOT EXISTS"
            + " (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))"
            + " OR (c.relreplident = 'i' AND NOT EXISTS"
            + " (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))"
            + " ORDER BY 1";

    private static final String OF_KIND = "SELECT n.nspname || '.' || c.relname FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.oid >= 16384 AND c.relkind = ? AND c.relpersistence = ? ORDER BY 1";

    private static final String USER_TABLES =
            "SELECT count(*) FROM pg_class WHERE oid >= 16384 AND relkind IN ('r', 'p') AND relpersistence <> 't'";

    private final PgLogins logins;
    private final MigrationSpec spec;
    private final List<String> databases;
    /** The target's databases are this migration's own unfinished or unpromoted copy: a new attempt replaces them. */
    private final boolean ownCopy;

    private final List<String> withoutIdentity = new ArrayList<>();
    private final Map<String, String> largeObjects = new LinkedHashMap<>();
    /** extension → the databases it is installed in */
    private final Map<String, Set<String>> extensions = new LinkedHashMap<>();

    private final List<String> unlogged = new ArrayList<>();
    private final List<String> matviews = new ArrayList<>();

    LogicalReadiness(PgLogins logins, MigrationSpec spec, List<String> databases, boolean ownCopy) {
        this.logins = logins;
        this.spec = spec;
        this.databases = databases;
        this.ownCopy = ownCopy;
    }

    /** Refuses what cannot move; returns the checks passed and the warnings. */
    List<Check> check(String targetMajor) {
        for (String db : databases) {
            try (PgSession s = logins.source(spec, db)) {
                for (String t : column(s.rows(WITHOUT_IDENTITY))) withoutIdentity.add(db + "." + t);
                String count = s.one("SELECT count(*) FROM pg_largeobject_metadata");
                if (!"0".equals(count)) largeObjects.put(db, count);
                for (String e : column(s.rows("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"))) {
                    extensions.computeIfAbsent(e, k -> new TreeSet<>()).add(db);
                }
                for (String t : column(s.rows(OF_KIND, "r", "u"))) unlogged.add(db + "." + t);
                for (String t : column(s.rows(OF_KIND, "m", "p"))) matviews.add(db + "." + t);
            }
        }
        List<String> problems = new ArrayList<>();
        if (!withoutIdentity.isEmpty()) problems.add(identityProblem());
        largeObjects.forEach((db, n) -> problems.add(db + " holds " + n
                + " large objects (pg_largeobject_metadata): logical replication does not carry large objects, so"
                + " they would not reach the target. Move them into bytea columns first, or move this server by"
                + " the physical method to a target of the same major version."));
        List<String> missing = missingOnTarget();
        for (String e : missing) {
            problems.add("the extension " + e + " (installed in " + String.join(", ", extensions.get(e))
                    + ") is not available on the target " + spec.target().address()
                    + ": install the package providing extension " + e + " for PostgreSQL " + targetMajor
                    + " there (on Debian usually postgresql-" + targetMajor + "-" + e + "), or, if PostgreSQL "
                    + targetMajor + " no longer has it, DROP EXTENSION " + e + " in those databases on the source.");
        }
        if (!problems.isEmpty()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the source " + spec.source().address() + " cannot be moved by logical replication yet: "
                            + String.join(" Also: ", problems) + " Nothing was changed.");
        }
        refuseTargetData();

        List<Check> checks = new ArrayList<>();
        checks.add(Check.ok(
                "databases",
                databases.size() + " to move (" + String.join(", ", databases) + "), every table"
                        + " with a row identity, no large objects"));
        checks.add(Check.ok(
                "extensions",
                extensions.isEmpty()
                        ? "none besides plpgsql"
                        : String.join(", ", extensions.keySet()) + ": all available on the target"));
        if (!unlogged.isEmpty()) {
            checks.add(Check.warn(
                    "unlogged tables",
                    String.join(", ", unlogged) + ": unlogged tables are not replicated, so their rows will not"
                            + " move (copy them yourself after cutover if they matter)"));
        }
        if (!matviews.isEmpty()) {
            checks.add(Check.warn(
                    "materialized views",
                    String.join(", ", matviews) + ": their definitions are copied, their contents are not;"
                            + " refresh each on the target after cutover with REFRESH MATERIALIZED VIEW"));
        }
        return checks;
    }

    private String identityProblem() {
        String first = withoutIdentity.get(0);
        String table = first.substring(first.indexOf('.') + 1);
        return "these tables have neither a primary key nor a replica identity index: "
                + String.join(", ", withoutIdentity)
                + ". The migration publishes every table, and PostgreSQL then refuses every UPDATE and DELETE"
                + " on a published table without a row identity: they would fail on the source for as long as the"
                + " migration runs. Give each an identity first, either: add a primary key (ALTER TABLE " + table
                + " ADD PRIMARY KEY (...); it builds a unique index, locking the table against writes while it does),"
                + " or ALTER TABLE " + table + " REPLICA IDENTITY FULL (instant, but every UPDATE and DELETE then"
                + " writes the whole old row to the WAL, and the target finds each changed row by all its columns:"
                + " a scan of the table per row unless an index there fits).";
    }

    private List<String> missingOnTarget() {
        if (extensions.isEmpty()) return List.of();
        try (PgSession t = logins.target(spec, "postgres")) {
            List<String> available = column(t.rows("SELECT name FROM pg_available_extensions"));
            return extensions.keySet().stream()
                    .filter(e -> !available.contains(e))
                    .toList();
        }
    }

    /**
     * A database of the same name on the target is refused if it holds tables: the copy writes
     * into empty databases only, or over this migration's own copy (started again after a
     * rollback, say, once a change of schema is repeated on the target).
     */
    private void refuseTargetData() {
        if (ownCopy) return;
        List<String> present;
        try (PgSession t = logins.target(spec, "postgres")) {
            present = column(t.rows("SELECT datname FROM pg_database WHERE datallowconn"));
        }
        List<String> holding = new ArrayList<>();
        for (String db : databases) {
            if (!present.contains(db)) continue;
            try (PgSession t = logins.target(spec, db)) {
                String tables = t.one(USER_TABLES);
                if (!"0".equals(tables)) holding.add(db + " (" + tables + " tables)");
            }
        }
        if (!holding.isEmpty()) {
            throw Failures.fatal(
                    Failures.WIPE_REFUSED,
                    "the target " + spec.target().address() + " already holds data in databases the migration"
                            + " would copy into: " + String.join(", ", holding) + ". switchover copies into empty"
                            + " databases only and empties none: drop or rename them on the target if they are not"
                            + " needed (DROP DATABASE ...), or move to another server. Nothing was changed.");
        }
    }

    private static List<String> column(List<List<String>> rows) {
        return rows.stream().map(r -> r.get(0)).toList();
    }
}
