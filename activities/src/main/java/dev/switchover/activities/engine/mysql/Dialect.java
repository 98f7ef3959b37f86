package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.TlsMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where MySQL and MariaDB say the same thing differently. Both replicate by GTID, but MySQL's
 * GTID sets (uuid:1-42) and MariaDB's positions (domain-server-seq) are different things, and
 * MySQL renamed its replication statements in 8.0.22/8.0.23 and RESET MASTER in 8.4. Every
 * difference is a method here, named after what differs, so the steps never ask which one they
 * speak to.
 */
public enum Dialect {
    MYSQL("mysql", "jdbc:mysql://", "mysqldump", "mysql"),
    MARIADB("mariadb", "jdbc:mariadb://", "mariadb-dump", "mariadb");

    final String product;
    final String jdbcPrefix;
    final String dumpTool;
    final String clientTool;

    Dialect(String product, String jdbcPrefix, String dumpTool, String clientTool) {
        this.product = product;
        this.jdbcPrefix = jdbcPrefix;
        this.dumpTool = dumpTool;
        this.clientTool = clientTool;
    }

    static Dialect of(Engine engine) {
        return switch (engine) {
            case MYSQL -> MYSQL;
            case MARIADB -> MARIADB;
            default -> throw new IllegalArgumentException(engine + " is not MySQL or MariaDB");
        };
    }

    /** The product a server runs, by its @@version. */
    static Dialect ofServer(String version) {
        return version.toLowerCase().contains("mariadb") ? MARIADB : MYSQL;
    }

    String displayName() {
        return this == MYSQL ? "MySQL" : "MariaDB";
    }

    // ---- GTIDs ----

    /** The variable holding every transaction this server has committed (and logged). */
    String executedVariable() {
        return this == MYSQL ? "@@GLOBAL.gtid_executed" : "@@GLOBAL.gtid_binlog_pos";
    }

    /**
     * The variable holding every transaction a replica has applied: MariaDB's binlog position omits
     * the ones applied before log_slave_updates was on, its current position does not.
     */
    String appliedVariable() {
        return this == MYSQL ? "@@GLOBAL.gtid_executed" : "@@GLOBAL.gtid_current_pos";
    }

    /** How many transactions of {@code sourcePos} the replica at {@code applied} lacks. */
    long transactionsMissing(MySqlSession t, String sourcePos, String applied) {
        if (this == MYSQL) return MySqlGtidSet.count(t.one("SELECT GTID_SUBTRACT(?, ?)", sourcePos, applied));
        return MariaDbGtidPosition.parse(applied).missingFrom(MariaDbGtidPosition.parse(sourcePos));
    }

    /** The server's transactions that {@code finalPosition} does not hold; empty if none. */
    String errantTransactions(MySqlSession t, String finalPosition) {
        return this == MYSQL
                ? MySqlGtidSet.oneLine(t.one("SELECT GTID_SUBTRACT(@@GLOBAL.gtid_executed, ?)", finalPosition))
                : String.join(
                        ",",
                        MariaDbGtidPosition.errant(
                                finalPosition,
                                t.one("SELECT @@GLOBAL.gtid_binlog_pos"),
                                t.one("SELECT @@GLOBAL.gtid_current_pos")));
    }

    boolean sameTransactions(MySqlSession s, String a, String b) {
        if (this == MYSQL) return "1".equals(s.one("SELECT GTID_SUBSET(?, ?) AND GTID_SUBSET(?, ?)", a, b, b, a));
        return MariaDbGtidPosition.same(a, b);
    }

    /** Waits up to {@code seconds} for the server to have applied every transaction up to {@code position}. */
    boolean waitApplied(MySqlSession t, String position, int seconds) {
        if (this == MYSQL) {
            return seconds == 0
                    ? "1".equals(t.one("SELECT GTID_SUBSET(?, @@GLOBAL.gtid_executed)", position))
                    : "0".equals(t.one("SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)", position, seconds));
        }
        String r = t.one("SELECT MASTER_GTID_WAIT(?, ?)", position, seconds);
        if ("0".equals(r)) return true;
        // MASTER_GTID_WAIT watches the replica's position; a promoted target has its own binary log.
        return MariaDbGtidPosition.parse(t.one("SELECT @@GLOBAL.gtid_current_pos"))
                .covers(MariaDbGtidPosition.parse(position));
    }

    /** Gives a server whose copy carried no data the source's GTID history (the one parameter). */
    String gtidPurgeStatement() {
        return this == MYSQL ? "SET GLOBAL gtid_purged = ?" : "SET GLOBAL gtid_slave_pos = ?";
    }

    /** What else remembers a replica's position once its binary logs are reset. */
    List<String> resetReplicaPosition() {
        return this == MYSQL ? List.of() : List.of("SET GLOBAL gtid_slave_pos = ''");
    }

    // ---- statements by version ----

    /** Statements by MySQL version: the REPLICA/SOURCE words exist from 8.0.22 (8.0.23 for CHANGE). */
    boolean newWords(Version v) {
        return this == MYSQL && v.atLeast(8, 0, 23);
    }

    String replicaStatus(Version v) {
        return newWords(v) ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
    }

    String stopReplica(Version v) {
        return newWords(v) ? "STOP REPLICA" : "STOP SLAVE";
    }

    String startReplica(Version v) {
        return newWords(v) ? "START REPLICA" : "START SLAVE";
    }

    String resetReplicaAll(Version v) {
        return newWords(v) ? "RESET REPLICA ALL" : "RESET SLAVE ALL";
    }

    /** Forgets the binary log and, on MySQL, the GTID history, so the copy's own history can be loaded. */
    String resetBinaryLogs(Version v) {
        return this == MYSQL && v.atLeast(8, 4, 0) ? "RESET BINARY LOGS AND GTIDS" : "RESET MASTER";
    }

    /** The binary log's file and position (MySQL renamed the statement in 8.2). */
    String binlogStatusQuery(Version v) {
        return this == MYSQL && v.atLeast(8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
    }

    /** A column of SHOW REPLICA STATUS under the version's name for it. */
    String column(Version v, String newName) {
        if (newWords(v)) return newName;
        return newName.replace("Replica", "Slave").replace("Source", "Master");
    }

    /** CHANGE MASTER's clause that positions the replica by GTID. */
    String replicaAutoPosition() {
        return this == MYSQL ? ", MASTER_AUTO_POSITION = 1" : ", MASTER_USE_GTID = slave_pos";
    }

    // ---- identities, settings and schemas ----

    /** What tells servers apart: MySQL's server_uuid; MariaDB has none, so host, port and server_id. */
    String identityQuery() {
        return this == MYSQL ? "SELECT @@server_uuid" : "SELECT CONCAT(@@hostname, ':', @@port, '/', @@server_id)";
    }

    /**
     * The identity of the source a replica's status names, or null. The status names the source's
     * address already. MySQL's names its server_uuid; MariaDB's names the source's server_id only,
     * the rest of its identity is the address's: {@code knownSourceId} if given, else the source is
     * asked ({@code sourceIdentity}).
     */
    String replicaSource(Version v, Map<String, String> status, String knownSourceId, Supplier<String> sourceIdentity) {
        if (this == MYSQL) {
            String uuid = status.get(column(v, "Source_UUID"));
            return uuid == null || uuid.isBlank() ? null : uuid;
        }
        String id = knownSourceId != null ? knownSourceId : sourceIdentity.get();
        return id.endsWith("/" + status.get("Master_Server_Id")) ? id : null;
    }

    /**
     * Whether a replica's status (naming the source's address) names {@code sourceId}, or no source
     * identity at all yet: a replica that never connected to its source leaves it blank.
     */
    boolean namesSourceOrNone(Version v, Map<String, String> status, String sourceId) {
        if (this == MYSQL) {
            String uuid = status.get(column(v, "Source_UUID"));
            return uuid == null || uuid.isBlank() || uuid.equals(sourceId);
        }
        String serverId = status.getOrDefault("Master_Server_Id", "");
        return serverId.isBlank() || "0".equals(serverId) || sourceId.endsWith("/" + serverId);
    }

    /** MySQL caches information_schema's table sizes (for a day); this session wants them current. */
    List<String> freshStatistics() {
        return this == MYSQL ? List.of("SET SESSION information_schema_stats_expiry = 0") : List.of();
    }

    /** The view of InnoDB's tablespace files and their sizes. */
    String tablespacesView() {
        return this == MYSQL ? "information_schema.innodb_tablespaces" : "information_schema.innodb_sys_tablespaces";
    }

    /** Where server_id is set, for the message asking for it. */
    String serverIdFile() {
        return this == MYSQL ? "my.cnf" : "my.cnf ([mariadb] section)";
    }

    /** Where replication's settings are set, for the messages asking for them. */
    String settingsFile() {
        return this == MYSQL
                ? "my.cnf ([mysqld], e.g. /etc/mysql/mysql.conf.d/mysqld.cnf)"
                : "my.cnf ([mariadb], e.g. /etc/mysql/mariadb.conf.d/50-server.cnf)";
    }

    /** The GTID settings replication needs that are wrong (MariaDB's GTIDs need none). */
    List<SettingChange> gtidSettings(MySqlSession s, String file) {
        return this == MYSQL ? ReplicationSettings.gtidMode(s, file) : List.of();
    }

    /**
     * The longest replication password the replica can keep: MySQL stores a replica's source
     * password in at most 32 characters (error 3056 beyond); MariaDB sets no such limit.
     */
    int maxReplicationPassword() {
        return this == MYSQL ? 32 : Integer.MAX_VALUE;
    }

    /** Sets binlog_format to ROW on a running server, and on MySQL for its restarts too. */
    List<String> binlogFormatRow() {
        return this == MYSQL
                ? List.of("SET GLOBAL binlog_format = 'ROW'", "SET PERSIST binlog_format = 'ROW'")
                : List.of("SET GLOBAL binlog_format = 'ROW'");
    }

    /** For how long {@link #binlogFormatRow} sets it, for prepare-source's note. */
    String binlogFormatKept() {
        return this == MYSQL
                ? " (SET PERSIST)"
                : " for now: add 'binlog_format = ROW' to the source's my.cnf so a restart keeps it";
    }

    /** Session settings before SHOW CREATE USER: MySQL's binary password hashes as hex, so they copy. */
    List<String> showCreateUserSettings() {
        return this == MYSQL ? List.of("SET SESSION print_identified_with_as_hex = ON") : List.of();
    }

    /** The condition that leaves roles out of mysql.user (MariaDB keeps roles there). */
    String rolesExcluded() {
        return this == MYSQL ? "" : " AND is_role <> 'Y'";
    }

    // ---- the client tools ----

    /** The client tools' TLS options for a connection from the target to the source. */
    List<String> clientTlsOptions(TlsMode tls) {
        if (this == MYSQL) return List.of("--ssl-mode=" + sslMode(tls)); // the driver's words
        return switch (tls) {
            case DISABLE -> List.of("--skip-ssl");
            case PREFER, REQUIRE -> List.of("--ssl", "--skip-ssl-verify-server-cert");
            case VERIFY_FULL -> List.of("--ssl", "--ssl-verify-server-cert");
        };
    }

    /**
     * The dump's options that carry the source's GTIDs into the copy. MySQL's --source-data takes a
     * brief global read lock, so the GTID set matches the snapshot.
     */
    List<String> dumpGtidOptions() {
        return this == MYSQL
                ? List.of("--set-gtid-purged=ON", "--source-data=2", "--no-tablespaces")
                : List.of("--gtid", "--master-data=1");
    }

    /** A backup's options that record its GTIDs and binary log position (as comments). */
    List<String> backupGtidOptions() {
        return this == MYSQL
                ? List.of("--set-gtid-purged=ON", "--source-data=2")
                : List.of("--gtid", "--master-data=2");
    }

    // ---- the JDBC driver ----

    /**
     * The driver's sslMode. MariaDB's driver has no "prefer": it encrypts without checking the
     * certificate ("trust"), or falls back ({@link #retriesWithoutTls}) when the server offers no
     * TLS at all.
     */
    String sslMode(TlsMode tls) {
        if (this == MYSQL) {
            return switch (tls) {
                case DISABLE -> "DISABLED";
                case PREFER -> "PREFERRED";
                case REQUIRE -> "REQUIRED";
                case VERIFY_FULL -> "VERIFY_IDENTITY";
            };
        }
        return switch (tls) {
            case DISABLE -> "disable";
            case PREFER, REQUIRE -> "trust";
            case VERIFY_FULL -> "verify-full";
        };
    }

    /** Further driver properties: MySQL's names the program to the server. */
    Map<String, String> driverProperties() {
        return this == MYSQL ? Map.of("connectionAttributes", "program_name:switchover") : Map.of();
    }

    /** Whether a connection refused over TLS is tried again without it (see {@link #sslMode}). */
    boolean retriesWithoutTls(TlsMode tls) {
        return this == MARIADB && tls == TlsMode.PREFER;
    }

    // ---- read_only, the replica's link and the fences ----

    /**
     * Makes a server refuse writes from every client (MySQL: SUPER too), and on MySQL keeps refusing
     * after a restart (SET PERSIST).
     */
    List<String> readOnlyStatements() {
        return this == MYSQL
                ? List.of("SET PERSIST read_only = ON", "SET PERSIST super_read_only = ON")
                : List.of("SET GLOBAL read_only = ON");
    }

    /** Takes back {@link #readOnlyStatements}, including what they persisted. */
    List<String> writableStatements() {
        return this == MYSQL
                ? List.of(
                        "SET GLOBAL super_read_only = OFF",
                        "RESET PERSIST IF EXISTS super_read_only",
                        "RESET PERSIST IF EXISTS read_only",
                        "SET GLOBAL read_only = OFF")
                : List.of("SET GLOBAL read_only = OFF");
    }

    /** What keeps a fenced source read-only across a restart: MySQL's SET PERSIST, MariaDB's drop-in file. */
    ReadOnlyPersistence readOnlyPersistence(RemoteHost host, String migration, String address) {
        return this == MYSQL ? new PersistedReadOnly() : new ReadOnlyDropIn(host, migration, address);
    }

    /** What keeps the old source read-only, in words. */
    String fenceKept(String migration) {
        return this == MYSQL
                ? "read_only and super_read_only persisted (SET PERSIST)"
                : "read_only = ON in zz-switchover-fence-" + migration
                        + ".cnf in the last directory its my.cnf includes";
    }

    /** How an operator makes the old source writable again, in words. */
    String fenceReopening() {
        return this == MYSQL
                ? "RESET PERSIST super_read_only, RESET PERSIST read_only, SET GLOBAL super_read_only = OFF, SET GLOBAL"
                        + " read_only = OFF"
                : "remove that file, SET GLOBAL read_only = OFF";
    }

    /** The accounts that may log in: user, host. */
    String openAccountsQuery() {
        return this == MYSQL
                ? "SELECT user, host FROM mysql.user WHERE account_locked <> 'Y' ORDER BY user, host"
                : "SELECT u.user, u.host FROM mysql.user u JOIN mysql.global_priv g ON g.user = u.user AND g.host = u.host"
                        + " WHERE u.is_role <> 'Y' AND COALESCE(JSON_VALUE(g.priv, '$.account_locked'), '0') NOT IN ('1', 'true')"
                        + " ORDER BY u.user, u.host";
    }

    /** Whether super_read_only, which refuses account changes, is on (MariaDB has none). */
    boolean superReadOnly(MySqlSession s) {
        return this == MYSQL && "1".equals(s.one("SELECT @@GLOBAL.super_read_only"));
    }

    /**
     * MariaDB keeps no time of the last heartbeat, so a cut link shows only when the replica gives
     * up on its connection after slave_net_timeout (60 s by default) and starts reconnecting. Only
     * ever lowered, and only on the target, where it matters until promotion; a restart restores
     * the configured value, and detection then takes that long. MySQL: nothing ({@link #silentSeconds}).
     */
    void shortenNetTimeout(MySqlSession t, Duration silence) {
        if (this == MYSQL) return;
        String current = t.one("SELECT @@GLOBAL.slave_net_timeout");
        if (current != null && Long.parseLong(current) > silence.toSeconds()) {
            t.execute("SET GLOBAL slave_net_timeout = " + silence.toSeconds());
        }
    }

    /**
     * Seconds since the replica last heard from the source: MySQL records the last heartbeat and the
     * last transaction received. MariaDB records neither (only a count of heartbeats); there the
     * shortened slave_net_timeout turns a silent link into a reconnecting IO thread instead.
     */
    long silentSeconds(MySqlSession t) {
        if (this != MYSQL) return 0;
        String s = t.one("SELECT TIMESTAMPDIFF(SECOND, GREATEST(LAST_HEARTBEAT_TIMESTAMP,"
                + " LAST_QUEUED_TRANSACTION_END_QUEUE_TIMESTAMP), NOW(6)) FROM performance_schema.replication_connection_status"
                + " WHERE SERVICE_STATE = 'ON' AND GREATEST(LAST_HEARTBEAT_TIMESTAMP,"
                + " LAST_QUEUED_TRANSACTION_END_QUEUE_TIMESTAMP) > '1970-01-02'");
        return s == null ? 0 : Long.parseLong(s);
    }
}
