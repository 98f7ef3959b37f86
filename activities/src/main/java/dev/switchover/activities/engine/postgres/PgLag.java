package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.FreeSpace;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.List;

/** The catch-up: how far the target's standby is behind the source, read from the source's walsender. */
final class PgLag {
    /**
     * A standby reports to its source at least every wal_receiver_status_interval (10 s by
     * default); twice that without a reply means it is out of contact, whatever the walsender says.
     */
    private static final Duration STANDBY_SILENCE = Duration.ofSeconds(20);

    private final PgLogins logins;

    PgLag(PgLogins logins) {
        this.logins = logins;
    }

    /**
     * One sample of lag, with what the slot holds back on the source and the free space of the
     * source's WAL volume, which the workflow bounds.
     */
    LagSample measureLag(MigrationSpec spec) {
        try (PgSession s = logins.source(spec)) {
            LagSample lag = lag(s, spec);
            List<String> held = s.row(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text,"
                            + " current_setting('data_directory') FROM pg_replication_slots WHERE slot_name = ?",
                    spec.replication().slot());
            if (held == null || held.get(0) == null) return lag;
            return lag.retaining(
                    Long.parseLong(held.get(0)), FreeSpace.at(logins.ssh(spec.source()), held.get(1) + "/pg_wal"));
        }
    }

    private LagSample lag(PgSession s, MigrationSpec spec) {
        List<String> row = s.row(
                "SELECT r.state || '/' || r.sync_state, pg_current_wal_lsn()::text, r.replay_lsn::text,"
                        + " pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint,"
                        + " coalesce(extract(epoch FROM r.replay_lag), 0)::float8,"
                        + " coalesce(extract(epoch FROM now() - r.reply_time), 0)::float8"
                        + " FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid"
                        + " WHERE s.slot_name = ? AND r.client_addr = ?::inet",
                spec.replication().slot(),
                spec.target().address());
        if (row == null) {
            String current = s.one("SELECT pg_current_wal_lsn()::text");
            return new LagSample(
                    false,
                    Long.MAX_VALUE,
                    Double.MAX_VALUE,
                    current,
                    null,
                    "not connected: no walsender for slot " + spec.replication().slot() + " from "
                            + spec.target().address());
        }
        long bytes = row.get(3) == null ? Long.MAX_VALUE : Long.parseLong(row.get(3));
        double silentFor = Double.parseDouble(row.get(5));
        if (silentFor > STANDBY_SILENCE.toSeconds()) {
            // A cut link leaves the walsender "streaming" with the last positions and replay_lag the
            // standby reported, which look in sync when the source is idle; only its silence tells.
            return new LagSample(
                    false,
                    bytes,
                    silentFor,
                    row.get(1),
                    row.get(2),
                    "no reply from the standby for " + Math.round(silentFor) + " s (" + row.get(0) + ")");
        }
        boolean streaming = row.get(0).startsWith("streaming");
        return new LagSample(streaming, bytes, Double.parseDouble(row.get(4)), row.get(1), row.get(2), row.get(0));
    }
}
