package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.TlsMode;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source made ready for the copy and the replica: binlog_format = ROW (the one setting set
 * online), and the replication account with what the replica and the copy need, created under a
 * marker file beside the source's data so that undo drops only an account switchover created.
 */
final class MySqlSourcePreparation {
    private static final Logger log = LoggerFactory.getLogger(MySqlSourcePreparation.class);

    private final MySqlEngine engine;
    private final Hosts hosts;
    private final Dialect dialect;
    private final MySqlCopyMethod method;

    MySqlSourcePreparation(MySqlEngine engine, Hosts hosts, Dialect dialect, MySqlCopyMethod method) {
        this.engine = engine;
        this.hosts = hosts;
        this.dialect = dialect;
        this.method = method;
    }

    /** A file beside the source's data that says switchover created the replication account. */
    private String accountMarker(MigrationSpec spec, MySqlSession s) {
        return s.one("SELECT @@datadir").replaceAll("/+$", "") + "/.switchover-account-" + spec.name();
    }

    SourcePreparation prepare(MigrationSpec spec) {
        List<String> notes = new ArrayList<>();
        List<SettingChange> changed = new ArrayList<>();
        String user = spec.replication().user();
        String host = spec.target().address();
        boolean created = false;
        RemoteHost sourceHost = hosts.ssh(spec.source());
        try (MySqlSession s = engine.source(spec)) {
            for (SettingChange c : ReplicationSettings.required(s)) {
                if (c.needsRestart()) {
                    throw Failures.fatal(
                            Failures.NEEDS_RESTART,
                            "the source needs " + MySqlPreflight.describe(c) + "; nothing was changed");
                }
                // binlog_format is the one setting applied online; sessions already open keep theirs.
                for (String sql : dialect.binlogFormatRow()) s.execute(sql);
                changed.add(c);
                notes.add("binlog_format set to ROW" + dialect.binlogFormatKept());
            }
            String marker = accountMarker(spec, s);
            boolean exists = s.one("SELECT 1 FROM mysql.user WHERE user = ? AND host = ?", user, host) != null;
            boolean ours = sourceHost.exists(marker);
            if (!exists) {
                // The marker first: an attempt that dies between the two leaves a marker that undo
                // honours and the next attempt completes.
                sourceHost.writeFile(marker, spec.workflowId() + "\n", "0600", null);
                s.executeSecret(
                        "CREATE USER " + account(user, host) + " IDENTIFIED BY "
                                + MySqlSession.literal(
                                        engine.replicationPassword(spec).reveal())
                                + (spec.source().database().tls() == TlsMode.DISABLE ? "" : " REQUIRE SSL"),
                        engine.replicationPassword(spec).reveal(),
                        "creating the replication account " + user + "@" + host);
                created = true;
            } else if (ours) {
                s.executeSecret(
                        "ALTER USER " + account(user, host) + " IDENTIFIED BY "
                                + MySqlSession.literal(
                                        engine.replicationPassword(spec).reveal()),
                        engine.replicationPassword(spec).reveal(),
                        "setting the replication account's password");
            } else {
                notes.add("kept the existing account " + user + "@" + host
                        + " and its password; replication.password must" + " be its password");
            }
            // What the replica and the dump need: replication, a consistent snapshot with its GTIDs
            // (RELOAD for the brief FLUSH TABLES WITH READ LOCK), and read access to every object.
            s.execute(
                    "GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD, LOCK TABLES, SHOW VIEW, EVENT, TRIGGER"
                            + " ON *.* TO " + account(user, host));
            method.prepareSource(s, account(user, host), notes);
        }
        log.info("source prepared: account {}@{} {}", user, host, created ? "created" : "kept");
        return new SourcePreparation(created, false, false, changed, notes);
    }

    /** 'user'@'host' for statements that take no placeholders. */
    static String account(String user, String host) {
        return MySqlSession.literal(user) + "@" + MySqlSession.literal(host);
    }

    /** Drops the replication account if switchover created it; ends its sessions first. Idempotent. */
    void undo(MigrationSpec spec) {
        RemoteHost sourceHost = hosts.ssh(spec.source());
        try (MySqlSession s = engine.source(spec)) {
            String marker = accountMarker(spec, s);
            if (!sourceHost.exists(marker)) return;
            String user = spec.replication().user();
            String host = spec.target().address();
            s.execute("DROP USER IF EXISTS " + account(user, host));
            for (List<String> row : s.rows("SELECT id FROM information_schema.processlist WHERE user = ?", user)) {
                ClientSessions.kill(s, row.get(0));
            }
            sourceHost.run(Command.of("rm", "-f", "--", marker)).orThrow("removing " + marker);
        }
    }
}
