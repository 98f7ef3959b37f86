package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.FreeSpace;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The runbook's preflight for MySQL and MariaDB, before anything changes: SSH to both hosts, the
 * product and versions, server_id, the settings GTID replication needs, the tables a dump copies,
 * the target's data (the wipe guard), space, the client tools on the target and its reach to the
 * source. Each refusal says what to change; nothing was changed.
 */
final class MySqlPreflight {
    private final MySqlEngine engine;
    private final Hosts hosts;
    private final Dialect dialect;
    private final MySqlCopyMethod method;

    MySqlPreflight(MySqlEngine engine, Hosts hosts, Dialect dialect, MySqlCopyMethod method) {
        this.engine = engine;
        this.hosts = hosts;
        this.dialect = dialect;
        this.method = method;
    }

    PreflightReport check(MigrationSpec spec) {
        List<Check> checks = new ArrayList<>();
        int length = engine.replicationPassword(spec).reveal().length();
        if (length > dialect.maxReplicationPassword()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "replication.password refers to a password of " + length
                            + " characters, but MySQL's CHANGE REPLICATION SOURCE takes at most "
                            + dialect.maxReplicationPassword()
                            + ": use a shorter one (nothing was changed)");
        }
        RemoteHost targetHost = hosts.ssh(spec.target());
        hosts.ssh(spec.source()).run(Command.of("true")).orThrow("logging in to the source");
        checks.add(Check.ok("ssh", "both hosts accept the worker's key and match known_hosts"));

        Version sourceVersion;
        Version targetVersion;
        String sourceDir;
        long sourceSize;
        long sourceServerId;
        String sourceId;
        List<SettingChange> sourceChanges;
        List<SettingChange> targetChanges;
        try (MySqlSession s = engine.source(spec)) {
            sourceVersion = MySqlEngine.version(s);
            checkProduct(spec.source().address(), s);
            sourceDir = s.one("SELECT @@datadir");
            sourceServerId = Long.parseLong(s.one("SELECT @@server_id"));
            sourceId = engine.identity(s);
            sourceSize = engine.tables(s).stream()
                    .mapToLong(DumpProgress.Table::bytes)
                    .sum();
            sourceChanges = ReplicationSettings.required(s);
            checks.addAll(tableChecks(s, spec));
        }
        checks.add(Check.ok(
                "source", dialect.displayName() + " " + sourceVersion + ", " + sourceSize + " bytes of user data"));
        TargetGuard.Verdict verdict;
        try (MySqlSession t = engine.target(spec)) {
            targetVersion = MySqlEngine.version(t);
            checkProduct(spec.target().address(), t);
            targetChanges = ReplicationSettings.required(t).stream()
                    .filter(c -> !c.name().equals("binlog_format"))
                    .toList();
            String problem = ReplicationSettings.serverIdProblem(
                    "target", Long.parseLong(t.one("SELECT @@server_id")), sourceServerId, dialect.serverIdFile());
            if (problem == null) {
                problem = ReplicationSettings.serverIdProblem("source", sourceServerId, -1, dialect.serverIdFile());
            }
            if (problem != null) throw Failures.fatal(Failures.NEEDS_RESTART, problem);
            verdict = TargetGuard.decide(
                    sourceId, spec.target().address(), engine.marker().facts(spec, t));
        }
        String incompatible = targetVersion.cannotReplicateFrom(sourceVersion);
        if (incompatible == null) incompatible = method.incompatibility(sourceVersion, targetVersion);
        if (incompatible != null) throw Failures.fatal(Failures.PREFLIGHT_FAILED, incompatible);
        checks.add(Check.ok(
                "versions",
                "source " + sourceVersion + ", target " + targetVersion
                        + " (a replica may be as new as its source or newer)"));
        checks.add(Check.ok("server_id", "distinct on source and target"));
        checks.add(Check.ok("target data", verdict.reason()));

        List<SettingChange> restarts = new ArrayList<>();
        sourceChanges.stream().filter(SettingChange::needsRestart).forEach(restarts::add);
        if (!restarts.isEmpty() || !targetChanges.isEmpty()) {
            StringBuilder why = new StringBuilder("GTID replication needs settings that only a restart applies:");
            for (SettingChange c : restarts) why.append("\n  source ").append(describe(c));
            for (SettingChange c : targetChanges) why.append("\n  target ").append(describe(c));
            why.append("\nChange them, restart those servers, and start the migration again; nothing was changed.");
            throw Failures.fatal(Failures.NEEDS_RESTART, why.toString());
        }
        for (SettingChange c : sourceChanges) {
            checks.add(Check.warn(
                    "setting " + c.name(),
                    c.current() + " → " + c.required() + ", set by prepare-source (" + c.howTo() + ")"));
        }

        String targetDir = targetDataDirectory(spec);
        long free = FreeSpace.at(targetHost, targetDir);
        long needed = sourceSize + sourceSize / 5;
        if (free < needed) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    spec.target().address() + " has " + free + " bytes free at "
                            + targetDir + " but the source holds " + sourceSize
                            + " bytes (+20% headroom for the target's binary log):"
                            + " free space or grow the volume first.");
        }
        checks.add(Check.ok("space", free + " bytes free on the target for " + sourceSize + " bytes of data"));

        CommandResult tools = targetHost.run(Command.of(
                "sh", "-c", "command -v \"$1\" && command -v \"$2\"", "sh", dialect.dumpTool, dialect.clientTool));
        if (!tools.ok()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    spec.target().address() + " lacks " + dialect.dumpTool + " or "
                            + dialect.clientTool + ": install the " + dialect.displayName()
                            + " client package on the target (the"
                            + " copy runs there and loads into its server).");
        }
        CommandResult local = targetHost.run(Command.of(dialect.clientTool, "--protocol=socket", "-N", "-e", "SELECT 1")
                .withTimeout(Duration.ofSeconds(30)));
        if (!local.ok()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "on " + spec.target().address() + ", '" + dialect.clientTool
                            + " -e \"SELECT 1\"' as " + spec.target().ssh().user() + " fails ("
                            + local.stderr().strip() + "). The copy"
                            + " loads through the server's socket as that login (auth_socket/unix_socket, as Debian sets root up), or"
                            + " give it a [client] section in ~/.my.cnf.");
        }
        checks.add(Check.ok(
                "tools",
                dialect.dumpTool + " and " + dialect.clientTool + " on the target; the local load login works"));

        CommandResult reach = targetHost.run(Command.of(
                "timeout",
                "6",
                "bash",
                "-c",
                "exec 3<>\"/dev/tcp/$1/$2\"",
                "bash",
                spec.source().address(),
                String.valueOf(spec.source().database().port())));
        if (!reach.ok()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    spec.target().address() + " cannot reach "
                            + dialect.displayName() + " on " + spec.source().address() + ":"
                            + spec.source().database().port()
                            + ". Open the firewall between them for the replication connection.");
        }
        checks.add(Check.ok(
                "reachability",
                "the target reaches the source's port "
                        + spec.source().database().port()));
        return new PreflightReport(
                sourceVersion.text(),
                targetVersion.text(),
                sourceDir,
                targetDir,
                sourceSize,
                free,
                sourceChanges,
                checks);
    }

    static String describe(SettingChange c) {
        return c.name() + " is " + c.current() + ", needs " + c.required() + ": " + c.howTo();
    }

    /** A MariaDB spec against a MySQL server, or the reverse, is a wrong host, not a setting to fix. */
    private void checkProduct(String address, MySqlSession s) {
        Dialect running = Dialect.ofServer(s.one("SELECT @@version"));
        if (running != dialect) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    address + " runs " + running.displayName() + ", but the" + " spec says engine: " + dialect.product
                            + "; fix engine or the address");
        }
    }

    /**
     * A single-transaction dump is consistent only for transactional tables, and row-based
     * replication of a table without a primary key scans the table for every changed row.
     */
    private List<Check> tableChecks(MySqlSession s, MigrationSpec spec) {
        List<Check> out = new ArrayList<>();
        String user = "table_schema NOT IN ('mysql','sys','information_schema','performance_schema')";
        List<String> nonInnodb = s
                .rows("SELECT concat(table_schema, '.', table_name, ' (', engine, ')') FROM"
                        + " information_schema.tables WHERE table_type = 'BASE TABLE' AND engine <> 'InnoDB' AND "
                        + user
                        + " ORDER BY 1")
                .stream()
                .map(r -> r.get(0))
                .toList();
        if (!nonInnodb.isEmpty()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the source has tables that are not InnoDB: " + nonInnodb
                            + ". A single-transaction dump cannot copy them consistently while they are written: convert them"
                            + " (ALTER TABLE ... ENGINE=InnoDB) or drop them, then start the migration again.");
        }
        List<String> noKey = s
                .rows("SELECT concat(t.table_schema, '.', t.table_name) FROM information_schema.tables t"
                        + " WHERE t.table_type = 'BASE TABLE' AND t." + user + " AND NOT EXISTS (SELECT 1 FROM"
                        + " information_schema.table_constraints c WHERE c.table_schema = t.table_schema AND c.table_name ="
                        + " t.table_name AND c.constraint_type = 'PRIMARY KEY') ORDER BY 1")
                .stream()
                .map(r -> r.get(0))
                .toList();
        out.add(
                noKey.isEmpty()
                        ? Check.ok("primary keys", "every table has a primary key")
                        : Check.warn(
                                "primary keys",
                                "tables without a primary key: " + noKey + "; row-based replication scans"
                                        + " the whole table for each changed row, so the target may fall behind on them"));
        return out;
    }

    String targetDataDirectory(MigrationSpec spec) {
        if (spec.target().database().dataDirectory() != null)
            return spec.target().database().dataDirectory();
        try (MySqlSession t = engine.target(spec)) {
            return t.one("SELECT @@datadir");
        } catch (RuntimeException e) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the target's data directory is not in the spec and the" + " target's server could not be asked ("
                            + e.getMessage() + "): set target.database.dataDirectory.");
        }
    }
}
