package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The new primary's first backup, pg_basebackup -Ft -z over its local socket into the spec's
 * destination on the target. A complete backup (its manifest) from an earlier attempt is kept;
 * an unfinished one is removed and taken again.
 */
final class PgBackup {
    private final PgLogins logins;

    PgBackup(PgLogins logins) {
        this.logins = logins;
    }

    BackupResult backupNewPrimary(MigrationSpec spec, String backupName, Progress progress) {
        RemoteHost target = logins.ssh(spec.target());
        String os = spec.target().database().osUser();
        String dest = spec.backup().destination() + "/" + backupName;
        String socket;
        try (PgSession t = logins.target(spec, true)) {
            socket = t.one("SHOW unix_socket_directories").split(",")[0].strip();
        }
        if (target.exists(dest + "/backup_manifest")) {
            return new BackupResult(
                    true,
                    spec.target().address() + ":" + dest,
                    directorySize(target, dest),
                    "found complete from an earlier attempt");
        }
        target.stopJob("backup-" + spec.name());
        target.run(Command.of("rm", "-rf", "--", dest)).orThrow("removing an unfinished backup at " + dest);
        target.run(Command.of(
                        "install", "-d", "-o", os, "-m", "0700", spec.backup().destination(), dest))
                .orThrow("creating " + dest);
        long[] total = {0};
        List<String> args = new ArrayList<>(List.of(
                "pg_basebackup",
                "-h",
                socket,
                "-p",
                String.valueOf(spec.target().database().port()),
                "-D",
                dest,
                "-Ft",
                "-z",
                "-X",
                "stream",
                "-c",
                "fast",
                "-P"));
        if (spec.backup().maxRate() != null)
            args.add("--max-rate=" + spec.backup().maxRate().strip());
        CommandResult r = target.runStreaming(
                Command.of(args)
                        .asUser(os)
                        .withJob("backup-" + spec.name())
                        .withTimeout(PhysicalCopy.COPY_TIMEOUT)
                        .withHeartbeat(progress::alive),
                line -> BaseBackupProgress.parse(line).ifPresent(p -> {
                    total[0] = p.totalBytes();
                    progress.alive();
                }),
                null);
        r.orThrow("the fresh backup of the new primary");
        return new BackupResult(
                true,
                spec.target().address() + ":" + dest,
                directorySize(target, dest),
                "pg_basebackup -Ft -z of " + total[0] + " bytes");
    }

    private static long directorySize(RemoteHost host, String dir) {
        String out = host.run(Command.of("du", "-sb", dir))
                .orThrow("measuring " + dir)
                .stdout();
        return Long.parseLong(out.split("\\s+")[0]);
    }
}
