package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Memory;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;

/** The new primary after promotion: its fresh backup, and its memory settings for the final checklist. */
final class NewPrimary {
    private final MySqlEngine engine;
    private final Hosts hosts;
    private final Dialect dialect;

    NewPrimary(MySqlEngine engine, Hosts hosts, Dialect dialect) {
        this.engine = engine;
        this.hosts = hosts;
        this.dialect = dialect;
    }

    /** A gzipped dump of the whole new primary; a complete one from an earlier attempt is kept. */
    BackupResult backup(MigrationSpec spec, String backupName, Progress progress) {
        RemoteHost target = hosts.ssh(spec.target());
        String dir = spec.backup().destination();
        String file = dir + "/" + backupName + ".sql.gz";
        if (target.exists(file)) {
            return new BackupResult(
                    true,
                    spec.target().address() + ":" + file,
                    fileSize(target, file),
                    "found complete from an earlier attempt");
        }
        String job = "backup-" + spec.name();
        target.stopJob(job);
        List<String> dump = new ArrayList<>(List.of(
                dialect.dumpTool,
                "--protocol=socket",
                "--single-transaction",
                "--routines",
                "--triggers",
                "--events",
                "--all-databases"));
        dump.addAll(dialect.backupGtidOptions());
        String script = "set -o pipefail; umask 077; mkdir -p \"$1\" && " + ReplicationLogin.shellJoin(dump)
                + " | gzip > \"$2.partial\" && mv \"$2.partial\" \"$2\"";
        target.run(Command.of("bash", "-c", script, "bash", dir, file)
                        .withJob(job)
                        .withTimeout(MySqlEngine.COPY_TIMEOUT)
                        .withHeartbeat(progress::alive))
                .orThrow("the fresh backup of the new primary");
        return new BackupResult(
                true,
                spec.target().address() + ":" + file,
                fileSize(target, file),
                dialect.dumpTool + " --single-transaction --all-databases, gzip");
    }

    private static long fileSize(RemoteHost host, String file) {
        return Long.parseLong(host.run(Command.of("stat", "-c", "%s", file))
                .orThrow("measuring " + file)
                .stdout()
                .strip());
    }

    /** innodb_buffer_pool_size against the target's RAM. */
    List<Check> memoryChecks(MigrationSpec spec) {
        long ram = Memory.totalBytes(hosts.ssh(spec.target()));
        try (MySqlSession t = engine.target(spec)) {
            long pool = Long.parseLong(t.one("SELECT @@innodb_buffer_pool_size"));
            // On a dedicated server the buffer pool is the cache: most of RAM, with room for connections.
            return List.of(Memory.judge("innodb_buffer_pool_size", pool, ram, 0.50, 0.80, ram * 7 / 10));
        }
    }
}
