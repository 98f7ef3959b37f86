package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.FreeSpace;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The logical catch-up, read on the source: per moved database, how far the subscription's
 * confirmed position (the walsender's replay_lsn) is behind the source's current LSN, and what its
 * slot holds back. The migration is as far behind as its slowest database.
 */
final class LogicalLag {
    /** A subscriber replies at least every wal_receiver_status_interval (10 s); twice that is silence. */
    private static final Duration SILENCE = Duration.ofSeconds(20);

    private final PgLogins logins;
    private final LogicalSchemaCheck schema;

    LogicalLag(PgLogins logins) {
        this.logins = logins;
        this.schema = new LogicalSchemaCheck(logins);
    }

    LagSample measureLag(MigrationSpec spec) {
        try (PgSession s = logins.source(spec)) {
            String current = s.one("SELECT pg_current_wal_lsn()::text");
            long worstBytes = 0;
            double worstSeconds = 0;
            long retained = 0;
            String behindmost = current;
            List<String> states = new ArrayList<>();
            boolean streaming = true;
            for (String db : LogicalNames.movedDatabases(spec, s)) {
                String slot = LogicalNames.slot(spec, db);
                List<String> row = s.row(
                        "SELECT r.state, r.replay_lsn::text, pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint,"
                                + " coalesce(extract(epoch FROM r.replay_lag), 0)::float8,"
                                + " coalesce(extract(epoch FROM now() - r.reply_time), 0)::float8,"
                                + " pg_wal_lsn_diff(pg_current_wal_lsn(), sl.restart_lsn)::bigint"
                                + " FROM pg_replication_slots sl LEFT JOIN pg_stat_replication r ON r.pid = sl.active_pid"
                                + " WHERE sl.slot_name = ?",
                        slot);
                if (row == null || row.get(0) == null) {
                    streaming = false;
                    worstBytes = Long.MAX_VALUE;
                    worstSeconds = Double.MAX_VALUE;
                    states.add(db + ": not connected (no walsender for slot " + slot + ")");
                    if (row != null && row.get(5) != null) retained = Math.max(retained, Long.parseLong(row.get(5)));
                    continue;
                }
                long bytes = row.get(2) == null ? Long.MAX_VALUE : Long.parseLong(row.get(2));
                double silent = Double.parseDouble(row.get(4));
                double seconds = Double.parseDouble(row.get(3));
                if (silent > SILENCE.toSeconds()) {
                    streaming = false;
                    seconds = silent;
                    states.add(db + ": no reply from the subscription for " + Math.round(silent) + " s");
                } else {
                    streaming &= row.get(0).equals("streaming");
                    states.add(db + ": " + row.get(0));
                }
                if (bytes >= worstBytes) {
                    worstBytes = bytes;
                    behindmost = row.get(1);
                }
                worstSeconds = Math.max(worstSeconds, seconds);
                if (row.get(5) != null) retained = Math.max(retained, Long.parseLong(row.get(5)));
            }
            // A schema changed on the source holds the catch-up (and so the gate) until the change is
            // repeated on the target, instead of failing the cutover after the freeze.
            // Asked also when a subscription is down: a column it does not have is what stops it.
            List<String> changed = schema.differences(spec, LogicalNames.movedDatabases(spec, s));
            if (!changed.isEmpty()) {
                streaming = false;
                states.add(0, "schema differs: " + String.join("; ", changed));
            }
            List<String> syncing = schema.notReady(spec, LogicalNames.movedDatabases(spec, s));
            if (!syncing.isEmpty()) {
                streaming = false;
                states.add(0, "tables not yet in sync: " + String.join(", ", syncing));
            }
            LagSample lag =
                    new LagSample(streaming, worstBytes, worstSeconds, current, behindmost, String.join(", ", states));
            String dataDir = s.one("SHOW data_directory");
            return lag.retaining(retained, FreeSpace.at(logins.ssh(spec.source()), dataDir + "/pg_wal"));
        }
    }
}
