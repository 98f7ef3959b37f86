package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.engine.Pause;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.TlsMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target as the source's replica, from the end of the copy to promotion: pointed at the
 * source by GTID, started and watched until both threads run, read-only and closed to clients
 * meanwhile, and asked whom it follows; after a rollback, stopped.
 */
final class ReplicaSetup {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetup.class);

    /** The source sends a heartbeat this often when it has nothing else to send. */
    static final int HEARTBEAT_SECONDS = 5;
    /** How long replication gets to connect and start applying after START REPLICA. */
    private static final Duration START_WAIT = Duration.ofSeconds(90);
    /** Four heartbeats missed: the link is down, whatever the replica's threads say. */
    static final Duration SOURCE_SILENCE = Duration.ofSeconds(20);

    private final MySqlEngine engine;
    private final Dialect dialect;

    ReplicaSetup(MySqlEngine engine, Dialect dialect) {
        this.engine = engine;
        this.dialect = dialect;
    }

    /** The source identity the target's replication points at, or null if it points elsewhere or nowhere. */
    String replicatesFrom(MigrationSpec spec, MySqlSession t) {
        return replicatesFrom(spec, t, null);
    }

    /**
     * As {@link #replicatesFrom(MigrationSpec, MySqlSession)}, given the source's identity as
     * recorded at the freeze or just proved. MariaDB's replica status names only the source's
     * server_id, and without a known identity the source is asked for the rest; with the source's
     * server stopped or crashed after the freeze, VerifySync then failed and was retried for up to
     * its 2-hour limit, silent in VERIFY_SYNC instead of held at promotion with the operator's
     * choices (MySqlCrashIT). With one, the server_id is checked against it and the source is not asked.
     */
    String replicatesFrom(MigrationSpec spec, MySqlSession t, String knownSourceId) {
        Map<String, String> status = status(t);
        if (status == null) return null;
        Version v = MySqlEngine.version(t);
        String host = status.get(dialect.column(v, "Source_Host"));
        if (!spec.source().address().equals(host)) return null;
        return dialect.replicaSource(v, status, knownSourceId, () -> {
            try (MySqlSession s = engine.source(spec)) {
                return engine.identity(s);
            }
        });
    }

    /** STOP REPLICA on the target if it replicates from the source; its data and locked accounts stay. */
    String quiet(MigrationSpec spec) {
        try (MySqlSession t = engine.target(spec)) {
            Map<String, String> status = status(t);
            Version v = MySqlEngine.version(t);
            if (status == null || !spec.source().address().equals(status.get(dialect.column(v, "Source_Host")))) {
                return "left as it is: " + spec.target().address() + " does not replicate from the source";
            }
            t.execute(dialect.stopReplica(v));
            log.info(
                    "target {}: replication stopped after the rollback",
                    spec.target().address());
            return "replication on the target " + spec.target().address() + " was stopped, so it does not retry against"
                    + " the source; a new start of the migration copies again";
        }
    }

    /** The target's SHOW REPLICA STATUS, or null if it replicates from nobody. */
    Map<String, String> status(MySqlSession t) {
        List<Map<String, String>> rows = t.named(dialect.replicaStatus(MySqlEngine.version(t)));
        return rows.isEmpty() ? null : rows.get(0);
    }

    /**
     * Points the target's replication at the source by GTID (again, on a retry), then closes the
     * target to clients and makes it read-only until promotion.
     */
    void configure(MigrationSpec spec, MySqlSession t) {
        Version v = MySqlEngine.version(t);
        boolean ssl = spec.source().database().tls() != TlsMode.DISABLE;
        boolean verify = spec.source().database().tls() == TlsMode.VERIFY_FULL;
        String password = MySqlSession.literal(engine.replicationPassword(spec).reveal());
        String sql;
        if (dialect.newWords(v)) {
            sql = "CHANGE REPLICATION SOURCE TO SOURCE_HOST = "
                    + MySqlSession.literal(spec.source().address())
                    + ", SOURCE_PORT = " + spec.source().database().port()
                    + ", SOURCE_USER = "
                    + MySqlSession.literal(spec.replication().user())
                    + ", SOURCE_PASSWORD = " + password
                    + ", SOURCE_AUTO_POSITION = 1, SOURCE_SSL = " + (ssl ? 1 : 0)
                    + (verify ? ", SOURCE_SSL_VERIFY_SERVER_CERT = 1" : "")
                    + (ssl ? "" : ", GET_SOURCE_PUBLIC_KEY = 1")
                    + ", SOURCE_HEARTBEAT_PERIOD = " + HEARTBEAT_SECONDS + ", SOURCE_CONNECT_RETRY = 10";
        } else {
            sql = "CHANGE MASTER TO MASTER_HOST = "
                    + MySqlSession.literal(spec.source().address())
                    + ", MASTER_PORT = " + spec.source().database().port()
                    + ", MASTER_USER = "
                    + MySqlSession.literal(spec.replication().user())
                    + ", MASTER_PASSWORD = " + password
                    + dialect.replicaAutoPosition()
                    + ", MASTER_SSL = " + (ssl ? 1 : 0)
                    + (verify ? ", MASTER_SSL_VERIFY_SERVER_CERT = 1" : "")
                    + ", MASTER_HEARTBEAT_PERIOD = " + HEARTBEAT_SECONDS + ", MASTER_CONNECT_RETRY = 10";
        }
        t.execute(dialect.stopReplica(v));
        dialect.shortenNetTimeout(t, SOURCE_SILENCE);
        t.executeSecret(
                sql,
                engine.replicationPassword(spec).reveal(),
                "pointing the target's replication at " + spec.source().address());
        // Before read_only: MySQL refuses account changes under super_read_only.
        engine.targetFence(spec).close(t);
        readOnly(t);
    }

    /**
     * Makes the target, a replica until promotion, refuse writes from every client (MySQL: SUPER
     * too), and on MySQL keeps refusing after a restart (SET PERSIST): a replica that comes back
     * writable takes writes the source never sees. (The source's fence is {@link MySqlFence}.)
     */
    private void readOnly(MySqlSession s) {
        for (String sql : dialect.readOnlyStatements()) s.execute(sql);
    }

    /** Takes back {@link #readOnly}, including what it persisted. */
    void writable(MySqlSession s) {
        for (String sql : dialect.writableStatements()) s.execute(sql);
    }

    /** Starts replication (harmless if running) and waits until both threads run, or says why not. */
    void start(MigrationSpec spec, MySqlSession t) {
        Version v = MySqlEngine.version(t);
        t.execute(dialect.startReplica(v));
        Instant until = Instant.now().plus(START_WAIT);
        Map<String, String> st = status(t);
        while (Instant.now().isBefore(until)) {
            st = status(t);
            if (st != null
                    && "Yes".equals(st.get(dialect.column(v, "Replica_IO_Running")))
                    && "Yes".equals(st.get(dialect.column(v, "Replica_SQL_Running")))) {
                return;
            }
            if (st != null
                    && !st.getOrDefault(dialect.column(v, "Last_SQL_Error"), "").isBlank()) break;
            Pause.sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("replication on " + spec.target().address() + " is not running "
                + START_WAIT.toSeconds() + "s after it was started: " + problem(v, st));
    }

    /** What keeps replication from running, in words. */
    String problem(Version v, Map<String, String> st) {
        if (st == null) return "no replication is configured";
        return "IO thread " + st.get(dialect.column(v, "Replica_IO_Running")) + " ("
                + st.getOrDefault(dialect.column(v, "Last_IO_Error"), "") + "), SQL thread "
                + st.get(dialect.column(v, "Replica_SQL_Running")) + " ("
                + st.getOrDefault(dialect.column(v, "Last_SQL_Error"), "")
                + ")";
    }
}
