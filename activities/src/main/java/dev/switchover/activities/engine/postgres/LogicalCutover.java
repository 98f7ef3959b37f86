package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logical method's cutover up to promotion: the source fenced as the physical method fences
 * it ({@link SourceFence}), with a door left open for each subscription's login to its database;
 * then the sequences set on the target, the schemas proved equal, and every subscription's slot
 * proved to have confirmed the freeze's final position.
 */
final class LogicalCutover {
    private static final Logger log = LoggerFactory.getLogger(PostgresLogicalEngine.class);

    private final PgLogins logins;
    private final LogicalSequences sequences;
    private final LogicalSchemaCheck schema;

    LogicalCutover(PgLogins logins) {
        this.logins = logins;
        this.sequences = new LogicalSequences(logins);
        this.schema = new LogicalSchemaCheck(logins);
    }

    /**
     * Fences the source and returns the position every subscription must confirm: the end of the
     * WAL inserted so far, so commits made with synchronous_commit = off lie before it too.
     */
    FrozenSource freezeWrites(MigrationSpec spec) {
        try (PgSession s = logins.source(spec)) {
            int ended =
                    SourceFence.raise(s, logins.ssh(spec.source()), spec, () -> logins.source(spec), doors(spec, s));
            List<String> frozen =
                    s.row("SELECT pg_current_wal_insert_lsn()::text, system_identifier::text FROM pg_control_system()");
            log.info("source {} fenced at {}; {} sessions ended", spec.source().address(), frozen.get(0), ended);
            return new FrozenSource(frozen.get(0), ended, frozen.get(1));
        }
    }

    /** The subscriptions' logins to their databases, which the fence lets through. */
    static List<String> doors(MigrationSpec spec, PgSession source) {
        return LogicalNames.movedDatabases(spec, source).stream()
                .map(db -> "host " + db + " " + spec.replication().user() + " "
                        + PgHba.onlyThe(spec.target().address()) + " scram-sha-256")
                .toList();
    }

    void unfreezeWrites(MigrationSpec spec) {
        try (PgSession s = logins.source(spec)) {
            SourceFence.lower(s, logins.ssh(spec.source()), spec);
        }
    }

    SyncProof verifySync(MigrationSpec spec, FrozenSource frozen, Progress progress) {
        List<String> databases;
        try (PgSession s = logins.source(spec)) {
            databases = LogicalNames.movedDatabases(spec, s);
        }
        List<String> changed = schema.differences(spec, databases);
        if (!changed.isEmpty()) {
            throw Failures.fatal(
                    Failures.SYNC_NOT_REACHED,
                    "the schema changed on the source during the migration: " + String.join("; ", changed)
                            + ". Nothing was promoted and the source will be made writable again; repeat the change on"
                            + " the target, then start the migration again.");
        }
        int set = sequences.copy(spec, databases);
        String confirmed = awaitConfirmed(spec, databases, frozen.finalPosition(), progress);
        log.info(
                "target {}: {} sequences set; every subscription confirmed {}",
                spec.target().address(),
                set,
                confirmed);
        return new SyncProof(frozen.finalPosition(), confirmed);
    }

    /**
     * Waits until each database's slot on the source has confirmed {@code position}: the target
     * then holds, durably, every transaction committed before it. Returns the lowest confirmed.
     */
    String awaitConfirmed(MigrationSpec spec, List<String> databases, String position, Progress progress) {
        Instant until = Instant.now().plus(spec.cutover().syncTimeout());
        String sql =
                "SELECT min(confirmed_flush_lsn)::text, bool_and(pg_wal_lsn_diff(confirmed_flush_lsn, ?::pg_lsn) >= 0)"
                        + " AND count(*) = ? FROM pg_replication_slots WHERE slot_name = ANY(?::text[])";
        String slots = "{"
                + String.join(
                        ",",
                        databases.stream()
                                .map(db -> "\"" + LogicalNames.slot(spec, db) + "\"")
                                .toList()) + "}";
        List<String> row;
        try (PgSession s = logins.sourceAfterFreeze(spec, "source")) {
            while (true) {
                row = s.row(sql, position, databases.size(), slots);
                if ("t".equals(row.get(1))) return row.get(0);
                if (Instant.now().isAfter(until)) break;
                progress.alive();
                Pause.sleep(PgCutover.CUTOVER_POLL);
            }
        }
        throw Failures.fatal(
                Failures.SYNC_NOT_REACHED,
                "the subscriptions confirmed only up to " + row.get(0) + " within "
                        + spec.cutover().syncTimeout().toSeconds() + "s of the freeze, not the source's final "
                        + position + "; nothing was promoted and the source will be made writable again");
    }
}
