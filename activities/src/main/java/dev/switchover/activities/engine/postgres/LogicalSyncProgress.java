package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The subscriptions' initial copy as the operator follows it: each table's state on the target
 * (pg_subscription_rel: i, d copying, f/s finishing, r ready), the bytes copied against the
 * source's table sizes, and the sync errors the target counted. Ready when every table is.
 */
final class LogicalSyncProgress {
    private final PgLogins logins;
    private final MigrationSpec spec;
    private final List<String> databases;
    /** The source's size of each table, {@code db.schema.table}: what the copy has to move. */
    private final Map<String, Long> sizes = new HashMap<>();

    LogicalSyncProgress(PgLogins logins, MigrationSpec spec, List<String> databases) {
        this.logins = logins;
        this.spec = spec;
        this.databases = databases;
        for (String db : databases) {
            try (PgSession s = logins.source(spec, db)) {
                for (List<String> r : s.rows(
                        "SELECT n.nspname || '.' || c.relname, pg_relation_size(c.oid)"
                                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE c.relkind IN ('r','p') AND c.relpersistence = 'p'"
                                + " AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'")) {
                    sizes.put(db + "." + r.get(0), Long.parseLong(r.get(1)));
                }
            }
        }
    }

    long totalBytes() {
        return sizes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Polls until every table of every moved database is ready; returns the bytes the copy moved. */
    long awaitReady(Progress progress, Duration every) {
        while (true) {
            Snapshot now = read();
            progress.report(new CopyProgress(Math.min(now.done, totalBytes()), totalBytes(), now.stage()));
            if (now.ready == now.tables) return totalBytes();
            long until = System.nanoTime() + every.toNanos();
            while (System.nanoTime() < until) {
                progress.alive();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the initial copy ran", e);
                }
            }
        }
    }

    private record Snapshot(int tables, int ready, long done, List<String> copying, long errors) {
        String stage() {
            return ready + "/" + tables + " tables in sync"
                    + (copying.isEmpty() ? "" : "; copying " + String.join(", ", copying))
                    + (errors == 0
                            ? ""
                            : "; " + errors + " table copy errors so far (the target's server log says why)");
        }
    }

    private Snapshot read() {
        int tables = 0;
        int ready = 0;
        long done = 0;
        long errors = 0;
        List<String> copying = new ArrayList<>();
        for (String db : databases) {
            try (PgSession t = logins.target(spec, db)) {
                Map<String, Long> copied = new HashMap<>();
                for (List<String> r : t.rows("SELECT n.nspname || '.' || c.relname, p.bytes_processed"
                        + " FROM pg_stat_progress_copy p JOIN pg_class c ON c.oid = p.relid"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.datname = current_database()")) {
                    copied.put(r.get(0), Long.parseLong(r.get(1)));
                }
                for (List<String> r : t.rows(
                        "SELECT n.nspname || '.' || c.relname, s.srsubstate FROM pg_subscription_rel s"
                                + " JOIN pg_subscription sub ON sub.oid = s.srsubid JOIN pg_class c ON c.oid = s.srrelid"
                                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE sub.subname = ?",
                        LogicalNames.subscription(spec))) {
                    tables++;
                    long size = sizes.getOrDefault(db + "." + r.get(0), 0L);
                    switch (r.get(1)) {
                        case "r", "s", "f" -> {
                            done += size;
                            if (!r.get(1).equals("f")) ready++;
                        }
                        default -> {
                            long bytes = copied.getOrDefault(r.get(0), 0L);
                            done += Math.min(bytes, size);
                            if (r.get(1).equals("d"))
                                copying.add(db + "." + r.get(0)
                                        + (size > 0 ? " " + Math.min(100, 100 * bytes / size) + "%" : ""));
                        }
                    }
                }
                String e = t.one(
                        "SELECT coalesce(sum(sync_error_count), 0) FROM pg_stat_subscription_stats"
                                + " WHERE subname = ?",
                        LogicalNames.subscription(spec));
                errors += e == null ? 0 : Long.parseLong(e);
            }
        }
        return new Snapshot(tables, ready, done, copying, errors);
    }
}
