package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The target's subscription in each moved database and the source's slot it streams from: created
 * with the initial copy, disabled to quiet the target, dropped (with its slot) to start a copy
 * over or to promote. Dropping never needs the source: the subscription forgets its slot first,
 * and the slot is dropped only where the source answers.
 */
final class LogicalSubscriptions {
    private final PgLogins logins;

    /** How long a slot's walsender may take to end once its subscription is gone. */
    private static final Duration SLOT_RELEASE = Duration.ofSeconds(30);

    LogicalSubscriptions(PgLogins logins) {
        this.logins = logins;
    }

    /** The subscription that copies {@code database}'s rows and then streams its changes. */
    void create(MigrationSpec spec, String database) {
        String slot = LogicalNames.slot(spec, database);
        try (PgSession s = logins.source(spec, database)) {
            // An earlier attempt's slot: its subscription was dropped with the target's database.
            s.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active",
                    slot);
        }
        try (PgSession t = logins.target(spec, database)) {
            // The statement carries the replication password: a failing one must not be written to
            // the target's server log with it (log_min_error_statement logs the text of errors).
            t.execute("SET log_min_error_statement = panic");
            t.execute("CREATE SUBSCRIPTION " + PgSession.ident(LogicalNames.subscription(spec)) + " CONNECTION "
                    + PgSession.literal(conninfo(spec, database)) + " PUBLICATION "
                    + PgSession.ident(LogicalNames.publication(spec))
                    + " WITH (copy_data = true, create_slot = true, slot_name = " + PgSession.literal(slot) + ")");
        }
    }

    /** Whether {@code database} on the target has this migration's subscription. */
    boolean exists(MigrationSpec spec, String database) {
        try (PgSession t = logins.target(spec, database)) {
            return t.one(
                            "SELECT 1 FROM pg_subscription WHERE subname = ? AND subdbid = (SELECT oid FROM pg_database"
                                    + " WHERE datname = current_database())",
                            LogicalNames.subscription(spec))
                    != null;
        }
    }

    /** Streams again after {@link #disable}. */
    void enable(MigrationSpec spec, String database) {
        try (PgSession t = logins.target(spec, database)) {
            t.execute("ALTER SUBSCRIPTION " + PgSession.ident(LogicalNames.subscription(spec)) + " ENABLE");
        }
    }

    /** Stops the subscription streaming; its slot keeps the source's changes for a later enable. */
    void disable(MigrationSpec spec, String database) {
        try (PgSession t = logins.target(spec, database)) {
            t.execute("ALTER SUBSCRIPTION " + PgSession.ident(LogicalNames.subscription(spec)) + " DISABLE");
        }
    }

    /**
     * Drops the subscription in {@code database} on the target, then its slot on the source if the
     * source answers; says what it could not drop.
     */
    String drop(MigrationSpec spec, String database) {
        String sub = PgSession.ident(LogicalNames.subscription(spec));
        String oid;
        String targetId;
        try (PgSession t = logins.target(spec, database)) {
            oid = t.one(
                    "SELECT oid::text FROM pg_subscription WHERE subname = ? AND subdbid = (SELECT oid FROM pg_database"
                            + " WHERE datname = current_database())",
                    LogicalNames.subscription(spec));
            targetId = t.one("SELECT system_identifier::text FROM pg_control_system()");
            for (String sql : List.of(
                    "ALTER SUBSCRIPTION " + sub + " DISABLE",
                    "ALTER SUBSCRIPTION " + sub + " SET (slot_name = NONE)",
                    "DROP SUBSCRIPTION " + sub)) {
                t.execute(sql);
            }
        }
        String slot = LogicalNames.slot(spec, database);
        try (PgSession s = logins.sourceAfterFreeze(spec, "source")) {
            dropSlots(s, slot, oid, targetId);
            return "";
        } catch (RuntimeException e) {
            if (!PgSession.unreachable(e)) throw e;
            return "the slot " + slot + " could not be dropped on the unreachable source "
                    + spec.source().address();
        }
    }

    /**
     * Drops on the source the subscription's slot and the slots its table copies made
     * ({@code pg_<subscription oid>_sync_<table oid>_<target's system id>}), which a subscription
     * dropped mid-copy without its slot leaves behind, each holding the source's WAL for good.
     * Their walsenders may still be ending, the subscription just disabled: they are ended first,
     * as a slot in use cannot be dropped. The target's system id in the name keeps another
     * subscriber's slots out (subscription oids repeat from cluster to cluster).
     */
    private static void dropSlots(PgSession source, String slot, String subscriptionOid, String targetId) {
        String ours = "(slot_name = ? OR slot_name LIKE ?)";
        String copies = "pg\\_" + (subscriptionOid == null ? "none" : subscriptionOid) + "\\_sync\\_%\\_" + targetId;
        Instant until = Instant.now().plus(SLOT_RELEASE);
        while (true) {
            source.execute(
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE " + ours
                            + " AND active_pid IS NOT NULL",
                    slot,
                    copies);
            source.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE " + ours
                            + " AND NOT active",
                    slot,
                    copies);
            String left = source.one("SELECT count(*) FROM pg_replication_slots WHERE " + ours, slot, copies);
            if ("0".equals(left)) return;
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException(left + " replication slots of " + slot + " are still in use on the"
                        + " source after " + SLOT_RELEASE.toSeconds() + " s (pg_replication_slots.active_pid)");
            }
            Pause.sleep(Duration.ofMillis(200));
        }
    }

    /**
     * How the target reaches the source: as the replication role, over TLS as the spec says, and
     * named after the subscription in the source's pg_stat_replication. The password sits in the
     * target's catalog (pg_subscription, readable by superusers only) until promotion drops it.
     */
    private String conninfo(MigrationSpec spec, String database) {
        return "host=" + value(spec.source().address()) + " port="
                + spec.source().database().port() + " dbname="
                + value(database) + " user=" + value(spec.replication().user()) + " password="
                + value(logins.replicationPassword(spec).reveal()) + " sslmode="
                + spec.source().database().tls().id() + " application_name="
                + value(LogicalNames.subscription(spec));
    }

    /** A libpq connection-string value: quoted, with \ and ' escaped. */
    private static String value(String v) {
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
