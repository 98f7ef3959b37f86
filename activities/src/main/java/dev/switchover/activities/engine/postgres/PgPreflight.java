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
import dev.switchover.workflows.spec.ReplicationSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The runbook's preflight for PostgreSQL: both hosts reachable, the source a primary, the same
 * major version's server on the target, room for the copy, a target the copy may empty, the
 * replication port open between them, and the source's settings. Changes nothing.
 */
final class PgPreflight {
    private final PgLogins logins;

    PgPreflight(PgLogins logins) {
        this.logins = logins;
    }

    PreflightReport preflight(MigrationSpec spec) {
        List<Check> checks = new ArrayList<>();
        logins.replicationPassword(spec);
        RemoteHost targetHost = logins.ssh(spec.target());
        logins.ssh(spec.source()).run(Command.of("true")).orThrow("logging in to the source");
        checks.add(Check.ok("ssh", "both hosts accept the worker's key and match known_hosts"));

        String version;
        String sourceDir;
        long sourceSize;
        List<SettingChange> changes;
        String sourceId;
        try (PgSession s = logins.source(spec)) {
            if ("t".equals(s.one("SELECT pg_is_in_recovery()"))) {
                throw Failures.fatal(
                        Failures.WRONG_HOST, spec.source().address() + " is a standby; the source must be the primary");
            }
            sourceId = s.one("SELECT system_identifier::text FROM pg_control_system()");
            existingRolePassword(spec, s, checks);
            version = s.one("SHOW server_version");
            sourceDir = s.one("SHOW data_directory");
            sourceSize = Long.parseLong(s.one("SELECT sum(pg_database_size(datname))::bigint FROM pg_database"));
            changes = SourceSettings.required(s);
        }
        String major = TargetCluster.major(version);
        checks.add(Check.ok("source", "PostgreSQL " + version + ", primary, " + sourceSize + " bytes"));

        String targetDir = logins.targetDataDirectory(spec);
        String bindir = SameMajorVersion.bindir(targetHost, spec, version, targetDir);
        String targetVersion = targetHost
                .run(Command.of(bindir + "/postgres", "--version"))
                .orThrow("asking the target's postgres for its version")
                .stdout()
                .strip();
        checks.add(Check.ok(
                "versions", "source " + version + ", target " + targetVersion + " (same major " + major + ")"));

        long free = FreeSpace.at(targetHost, targetDir);
        long needed = sourceSize + sourceSize / 5;
        if (free < needed) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    spec.target().address() + " has " + free + " bytes free at "
                            + targetDir + " but the source holds " + sourceSize
                            + " bytes (+20% headroom for WAL): free space or"
                            + " grow the volume first.");
        }
        checks.add(Check.ok("space", free + " bytes free on the target for " + sourceSize + " bytes of data"));
        // The copy's own guard, asked now: a target holding somebody's data is refused before the
        // benchmark and the source's preparation, not after them.
        TargetCluster cluster = new TargetCluster(targetHost, spec, targetDir, bindir, logins);
        checks.add(Check.ok(
                "target data",
                DataDirectoryGuard.decide(sourceId, spec.target().address(), cluster.facts())
                        .reason()));

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
                            + "). Open the firewall between them for the replication connection.");
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
        return new PreflightReport(
                version,
                targetVersion,
                sourceDir,
                targetDir,
                sourceSize,
                free,
                changes,
                checks,
                ReplicationSpec.PHYSICAL);
    }

    /**
     * prepare-source keeps a replication role that exists, password and all: one whose password is
     * not the spec's would have the copy's login refused, after the benchmark and the source's
     * preparation. Its stored verifier says so now, without a login.
     */
    void existingRolePassword(MigrationSpec spec, PgSession s, List<Check> checks) {
        String user = spec.replication().user();
        List<String> role = s.row("SELECT rolpassword FROM pg_authid WHERE rolname = ?", user);
        if (role == null) return;
        Boolean same = PasswordVerifier.matches(
                role.get(0), user, logins.replicationPassword(spec).reveal());
        if (Boolean.FALSE.equals(same)) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the role " + user + " exists on the source "
                            + spec.source().address()
                            + " with another password than replication.password; the migration keeps an"
                            + " existing role as it is, so the copy's login would be refused. Set replication.password to the role's"
                            + " password, or give the role the spec's: ALTER ROLE " + user + " PASSWORD '…'.");
        }
        checks.add(Check.ok(
                "replication role",
                user + " exists"
                        + (same == null
                                ? " (its password could not be checked" + " here)"
                                : " with the spec's password")));
    }
}
