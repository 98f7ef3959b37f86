package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.activities.CopyProgress;
import org.junit.jupiter.api.Test;

/** Lines as pg_basebackup 15 -P printed them on the lab (stderr not a tty, so one per line). */
class BaseBackupProgressTest {
    private static CopyProgress parse(String line) {
        return BaseBackupProgress.parse(line).orElseThrow(() -> new AssertionError("not parsed: " + line));
    }

    @Test
    void plainLine() {
        CopyProgress p = parse("17454/49658 kB (35%), 0/1 tablespace");
        assertEquals(17454L * 1024, p.doneBytes());
        assertEquals(49658L * 1024, p.totalBytes());
        assertEquals(35, (int) p.percent());
    }

    @Test
    void lineWithLeadingPaddingAsTheToolAlignsIt() {
        CopyProgress p = parse(" 8238/49658 kB (16%), 0/1 tablespace");
        assertEquals(8238L * 1024, p.doneBytes());
    }

    @Test
    void verboseLineWithTheFileBeingCopied() {
        CopyProgress p = parse(" 7214/49658 kB (14%), 0/1 tablespace (/tmp/bb/d/base/5/16388             )");
        assertEquals(7214L * 1024, p.doneBytes());
        assertEquals(49658L * 1024, p.totalBytes());
        p = parse("49669/49669 kB (100%), 0/1 tablespace (/tmp/bb/d/global/pg_control        )");
        assertEquals(p.totalBytes(), p.doneBytes());
    }

    @Test
    void finalLineOfSeveralTablespacesPaddedWithSpaces() {
        CopyProgress p = parse("49669/49669 kB (100%), 2/2 tablespaces                                         ");
        assertEquals(49669L * 1024, p.totalBytes());
    }

    @Test
    void terabytesDoNotOverflow() {
        CopyProgress p = parse("3221225472/4294967296 kB (75%), 0/1 tablespace");
        assertEquals(4294967296L * 1024, p.totalBytes());
    }

    @Test
    void otherLinesAreNotProgress() {
        for (String line : new String[] {
            "pg_basebackup: initiating base backup, waiting for checkpoint to complete",
            "pg_basebackup: write-ahead log start point: 0/2000028 on timeline 1",
            "waiting for checkpoint",
            "pg_basebackup: created temporary replication slot \"pg_basebackup_133\"",
            "could not change directory to \"/root\": Permission denied",
            "pg_basebackup: error: connection to server at \"" + LabHost.PGS.address()
                    + "\", port 5432 failed: FATAL:  password"
                    + " authentication failed for user \"replicator\"",
            ""
        }) {
            assertTrue(BaseBackupProgress.parse(line).isEmpty(), line);
        }
    }
}
