package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.FreeSpace;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The preflight of the logical method: both hosts reachable, the source a primary, a running
 * target of the same or a newer major version, every database moved fit for logical replication
 * ({@link LogicalReadiness}), room for the copy, the replication port open between them, and the
 * source's settings. Changes nothing on either host.
 */
final class LogicalPreflight {
    /** pg_read_all_data, which lets the initial copy read every table, came with PostgreSQL 14. */
    private static final int OLDEST_SOURCE = 140000;

    private final PgLogins logins;

    LogicalPreflight(PgLogins logins) {
        this.logins = logins;
    }

    PreflightReport preflight(MigrationSpec spec) {
        List<Check> checks = new ArrayList<>();
        logins.replicationPassword(spec);
        RemoteHost targetHost = logins.ssh(spec.target());
        logins.ssh(spec.source()).run(Command.of("true")).orThrow("logging in to the source");
        targetHost.run(Command.of("true")).orThrow("logging in to the target");
        checks.add(Check.ok("ssh", "both hosts accept the worker's key and match known_hosts"));

        String version;
        int versionNum;
        String sourceDir;
        long sourceSize;
        List<String> databases;
        List<SettingChange> changes;
        String sourceId;
        try (PgSession s = logins.source(spec)) {
            if ("t".equals(s.one("SELECT pg_is_in_recovery()"))) {
                throw Failures.fatal(
                        Failures.WRONG_HOST, spec.source().address() + " is a standby; the source must be the primary");
            }
            new PgPreflight(logins).existingRolePassword(spec, s, checks);
            version = s.one("SHOW server_version");
            versionNum = Integer.parseInt(s.one("SHOW server_version_num"));
            sourceDir = s.one("SHOW data_directory");
            sourceId = s.one("SELECT system_identifier::text FROM pg_control_system()");
            databases = LogicalNames.movedDatabases(spec, s);
            List<String> missing = new ArrayList<>(databases);
            missing.removeAll(LogicalNames.allDatabases(s));
            if (!missing.isEmpty()) {
                throw Failures.fatal(
                        Failures.PREFLIGHT_FAILED,
                        "replication.databases names " + missing + ", which the source "
                                + spec.source().address()
                                + " does not have (or which take no connections); it has "
                                + LogicalNames.allDatabases(s) + ": correct the list");
            }
            sourceSize =
                    Long.parseLong(s.one("SELECT coalesce(sum(pg_database_size(datname)), 0)::bigint FROM pg_database"
                            + " WHERE NOT datistemplate AND datallowconn"));
            changes = LogicalSettings.required(s, databases.size());
        }
        if (versionNum < OLDEST_SOURCE) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the source " + spec.source().address() + " runs PostgreSQL " + version
                            + "; the logical method needs 14 or later there (its copy reads every table through"
                            + " the role pg_read_all_data). Upgrade the source first, or move it by the physical"
                            + " method to a target of the same major version.");
        }
        checks.add(Check.ok("source", "PostgreSQL " + version + ", primary, " + sourceSize + " bytes"));

        String targetVersion;
        int targetNum;
        try (PgSession t = logins.target(spec, "postgres")) {
            targetVersion = t.one("SHOW server_version");
            targetNum = Integer.parseInt(t.one("SHOW server_version_num"));
        }
        if (targetNum / 10000 < versionNum / 10000) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the source " + spec.source().address() + " runs PostgreSQL " + version + " and the target "
                            + spec.target().address() + " runs PostgreSQL " + targetVersion
                            + ", an older major version: logical replication moves to the same or a newer one only."
                            + " Install PostgreSQL " + versionNum / 10000 + " or later on the target.");
        }
        checks.add(Check.ok("versions", "source " + version + ", target " + targetVersion));

        // The marker needs no binaries; only its path, beside the data directory, is asked.
        TargetCluster cluster = new TargetCluster(targetHost, spec, logins.targetDataDirectory(spec), null, logins);
        boolean ownCopy = LogicalCopy.ownCopy(spec, sourceId, cluster, new PromotionMarker(logins));
        checks.addAll(new LogicalReadiness(logins, spec, databases, ownCopy).check(String.valueOf(targetNum / 10000)));

        String targetDir = logins.targetDataDirectory(spec);
        long free = FreeSpace.at(targetHost, targetDir);
        long needed = sourceSize + sourceSize / 5;
        if (free < needed) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    spec.target().address() + " has " + free + " bytes free at " + targetDir
                            + " but the databases moved hold " + sourceSize
                            + " bytes (+20% headroom for WAL): free space or grow the volume first.");
        }
        checks.add(Check.ok("space", free + " bytes free on the target for " + sourceSize + " bytes of data"));

        CommandResult reach = targetHost.run(Command.of(
                "pg_isready",
                "-h",
                spec.source().address(),
                "-p",
                String.valueOf(spec.source().database().port()),
                "-t",
                "5"));
        if (reach.exitCode() != 0 && reach.exitCode() != 1) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    spec.target().address() + " cannot reach PostgreSQL on "
                            + spec.source().address() + ":"
                            + spec.source().database().port() + " ("
                            + reach.stdout().strip()
                            + "). Open the firewall between them: each subscription connects from the target.");
        }
        checks.add(Check.ok(
                "reachability",
                "the target reaches the source's port "
                        + spec.source().database().port()));

        List<SettingChange> restarts =
                changes.stream().filter(SettingChange::needsRestart).toList();
        if (!restarts.isEmpty() && !Boolean.TRUE.equals(spec.cutover().allowSourceRestart())) {
            throw Failures.fatal(Failures.NEEDS_RESTART, SourceSettings.restartAdvice(spec, restarts));
        }
        for (SettingChange c : changes) {
            checks.add(Check.warn(
                    "setting " + c.name(),
                    c.current() + " → " + c.required()
                            + (c.needsRestart() ? " (restart allowed by the spec)" : " (reload)")));
        }
        return new PreflightReport(version, targetVersion, sourceDir, targetDir, sourceSize, free, changes, checks);
    }
}
