package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.engine.Memory;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.FrozenSource;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** After promotion on pgt: the first backup of the new primary and the memory checks. */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:pgs+pgt")
class PostgresChecklistIT {
    static PgPair lab;

    @BeforeAll
    static void up() {
        lab = PgPair.fresh("it-checklist");
        lab.engine.prepareSource(lab.spec);
        lab.execute(lab.source, "CREATE TABLE kept AS SELECT g AS id FROM generate_series(1, 1000) g");
        lab.engine.baseCopy(lab.spec, new PgPair.Recording());
        FrozenSource frozen = lab.engine.freezeWrites(lab.spec);
        lab.engine.verifySync(lab.spec, frozen, new PgPair.Recording());
        lab.engine.promote(lab.spec, frozen);
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    private static String dir(String name) {
        return PgPair.BACKUPS + "/" + name;
    }

    private static List<String> files(String dir) {
        return List.of(lab.sh(lab.target, "ls", "-A", dir).strip().split("\n"));
    }

    @Test
    void backupOfTheNewPrimaryIsCompleteAndVerifiable() {
        PgPair.Recording progress = new PgPair.Recording();
        BackupResult r = lab.engine.backupNewPrimary(lab.spec, "first", progress);
        assertTrue(r.taken());
        assertEquals(lab.target.address() + ":" + dir("first"), r.location());
        assertTrue(r.bytes() > 1_000_000, r.toString());
        assertEquals(
                List.of("backup_manifest", "base.tar.gz", "pg_wal.tar.gz"),
                files(dir("first")).stream().sorted().toList());
        assertTrue(progress.beats > 0, "heartbeats while pg_basebackup ran");

        // PostgreSQL 15's pg_verifybackup reads plain backups only: unpack it next to the manifest.
        String plain = PgPair.BACKUPS + "/verify-first";
        CommandResult verified = lab.run(
                lab.target,
                Command.of(
                                "sh",
                                "-c",
                                "set -e; rm -rf \"$2\"; mkdir -p \"$2/pg_wal\"; tar -xzf \"$1/base.tar.gz\" -C \"$2\";"
                                        + " tar -xzf \"$1/pg_wal.tar.gz\" -C \"$2/pg_wal\";"
                                        + " /usr/lib/postgresql/15/bin/pg_verifybackup -m \"$1/backup_manifest\" \"$2\"; rm -rf \"$2\"",
                                "sh",
                                dir("first"),
                                plain)
                        .asUser("postgres"));
        assertEquals(0, verified.exitCode(), verified.toString());
        assertTrue(verified.stdout().contains("backup successfully verified"), verified.stdout());
    }

    @Test
    void secondCallWithTheSameNameFindsTheBackupComplete() {
        BackupResult first = lab.engine.backupNewPrimary(lab.spec, "twice", new PgPair.Recording());
        String stamp = lab.sh(lab.target, "stat", "-c", "%Y %i", dir("twice") + "/base.tar.gz");
        BackupResult again = lab.engine.backupNewPrimary(lab.spec, "twice", new PgPair.Recording());
        assertTrue(again.taken());
        assertTrue(again.detail().contains("found complete"), again.detail());
        assertEquals(first.location(), again.location());
        assertEquals(first.bytes(), again.bytes());
        assertEquals(
                stamp, lab.sh(lab.target, "stat", "-c", "%Y %i", dir("twice") + "/base.tar.gz"), "not taken again");
    }

    @Test
    void unfinishedBackupWithTheSameNameIsReplaced() {
        // What a worker killed halfway leaves: the directory and a partial tar, no manifest.
        lab.sh(lab.target, "install", "-d", "-o", "postgres", "-m", "0700", PgPair.BACKUPS, dir("interrupted"));
        lab.sh(lab.target, "sh", "-c", "head -c 1000 /dev/urandom > " + dir("interrupted") + "/base.tar.gz");
        BackupResult r = lab.engine.backupNewPrimary(lab.spec, "interrupted", new PgPair.Recording());
        assertFalse(r.detail().contains("found complete"), r.detail());
        assertTrue(r.bytes() > 1_000_000, r.toString());
        assertTrue(files(dir("interrupted")).contains("backup_manifest"));
    }

    @Test
    void memoryChecksJudgeSharedBuffersAndEffectiveCacheSizeAgainstTheTargetsRam() {
        List<Check> checks = lab.engine.memoryChecks(lab.spec);
        assertEquals(
                List.of("shared_buffers", "effective_cache_size"),
                checks.stream().map(Check::name).toList());
        long ramMiB = Memory.totalBytes(lab.ssh(lab.target)) >> 20;
        for (Check c : checks) {
            assertTrue(c.detail().contains("of " + ramMiB + " MiB RAM; recommended"), c.detail());
        }
        // The lab keeps Debian's 128 MB shared_buffers on a machine with far more RAM.
        Check shared = checks.get(0);
        assertTrue(shared.detail().startsWith("shared_buffers = 128 MiB"), shared.detail());
        assertEquals(ramMiB >= 1024 ? Check.Verdict.WARN : Check.Verdict.OK, shared.verdict(), shared.detail());
    }
}
