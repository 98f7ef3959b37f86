package dev.switchover.activities.engine.postgres;

import static dev.switchover.activities.engine.postgres.PgPair.failsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.SourcePreparation;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The base copy from pgs to pgt: what a good copy leaves, that a retried copy keeps it, that an
 * abort right after it can take the source's preparation back, and what the copy refuses to
 * destroy. The tests run in order: the first three share the copy the first one makes; the
 * others give pgt a cluster with somebody's data, or none.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:pgs+pgt")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresBaseCopyIT {
    /** A file the copy would delete with the rest of the data directory. */
    static final String WITNESS = PgPair.DATA_DIR + "/switchover-it-witness";

    static PgPair lab;
    static String sourceId;

    @BeforeAll
    static void up() {
        lab = PgPair.fresh("it-copy");
        lab.engine.prepareSource(lab.spec);
        sourceId = lab.systemIdentifier(lab.source);
        // About 30 MB, so that pg_basebackup reports progress more than once.
        lab.execute(
                lab.source,
                "CREATE TABLE copied AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 300000) g");
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    private static String targetStart() {
        return lab.one(lab.target, "SELECT pg_postmaster_start_time()::text");
    }

    /**
     * pgt as a new cluster with somebody's data in it: a database, and a table in postgres. Kept
     * from the test before when it is still there, because a reset takes seconds.
     */
    private static void targetWithOwnData() {
        lab.sh(lab.target, "rm", "-f", PgPair.COPY_MARKER);
        if ("f".equals(lab.one(lab.target, "SELECT pg_is_in_recovery()"))
                && lab.one(lab.target, "SELECT to_regclass('precious')::text") != null
                && lab.one(lab.target, "SELECT 1 FROM pg_database WHERE datname = 'shop'") != null) {
            return;
        }
        Lab.reset(LabHost.PGT.hostName());
        lab.execute(lab.target, "CREATE DATABASE shop");
        lab.execute(lab.target, "CREATE TABLE precious (id int)");
        lab.execute(lab.target, "INSERT INTO precious VALUES (1), (2), (3)");
    }

    private static void assertOwnDataIntact(String targetId) {
        assertEquals(targetId, lab.systemIdentifier(lab.target), "the same cluster, not a copy");
        assertEquals("f", lab.one(lab.target, "SELECT pg_is_in_recovery()"), "still running as it was");
        assertEquals("3", lab.one(lab.target, "SELECT count(*) FROM precious"));
        assertEquals("1", lab.one(lab.target, "SELECT count(*) FROM pg_database WHERE datname = 'shop'"));
    }

    @Test
    @Order(1)
    void copyMakesTheTargetAStreamingStandbyOfTheSourceAndReportsProgress() {
        PgPair.Recording progress = new PgPair.Recording();
        BaseCopyResult r = lab.engine.baseCopy(lab.spec, progress);

        assertFalse(r.alreadyDone());
        assertEquals("pg_basebackup", r.method());
        assertTrue(r.bytes() > 20_000_000, "bytes: " + r.bytes());
        assertEquals(sourceId, lab.systemIdentifier(lab.target));
        assertEquals("t", lab.one(lab.target, "SELECT pg_is_in_recovery()"));
        assertEquals("streaming", lab.one(lab.target, "SELECT status FROM pg_stat_wal_receiver"));
        assertEquals("300000", lab.one(lab.target, "SELECT count(*) FROM copied"));
        assertEquals(
                "1",
                lab.one(
                        lab.source,
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'switchover_it_copy' AND active"),
                "the target streams through the migration's slot");

        List<CopyProgress> reports = progress.reports;
        assertTrue(reports.size() >= 2, reports.toString());
        assertTrue(reports.stream().allMatch(p -> p.totalBytes() > 0), reports.toString());
        CopyProgress last = reports.get(reports.size() - 1);
        assertEquals(last.totalBytes(), last.doneBytes(), "the last report says done");
        assertEquals(r.bytes(), last.totalBytes());
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i).doneBytes() >= reports.get(i - 1).doneBytes(), "never goes back: " + reports);
        }
    }

    @Test
    @Order(2)
    void copyingAgainFindsTheStandbyAndLeavesItRunning() {
        lab.sh(lab.target, "touch", WITNESS);
        String started = targetStart();
        lab.execute(lab.source, "CREATE TABLE after_copy AS SELECT 1 AS one");
        BaseCopyResult r = lab.engine.baseCopy(lab.spec, new PgPair.Recording());
        assertTrue(r.alreadyDone(), r.toString());
        assertEquals(started, targetStart(), "not restarted");
        assertTrue(lab.ssh(lab.target).exists(WITNESS), "not wiped");
        assertTrue(
                PgPair.eventually(
                        Duration.ofSeconds(10),
                        () -> lab.one(lab.target, "SELECT to_regclass('after_copy')::text") != null),
                "and still streaming");
    }

    @Test
    @Order(3)
    void completeCopyFoundStoppedIsStartedNotCopiedAgain() {
        // As after a worker or host crash between the copy and the start.
        lab.sh(lab.target, "sh", "-c", lab.target.get("PG_STOP_CMD"));
        BaseCopyResult r = lab.engine.baseCopy(lab.spec, new PgPair.Recording());
        assertTrue(r.alreadyDone(), r.toString());
        assertTrue(lab.ssh(lab.target).exists(WITNESS), "not wiped");
        assertEquals("streaming", lab.one(lab.target, "SELECT status FROM pg_stat_wal_receiver"));
    }

    /**
     * A rollback's order: the standby is stopped before its access on the source goes (it retried
     * every 5 s, two FATAL lines on the source each time), and a new start of the migration finds
     * its copy and starts it again instead of copying.
     */
    @Test
    @Order(4)
    void rollbackStopsTheStandbyThenDropsTheSlotAndTheRoleAndARerunResumesTheCopy() {
        String quiet = lab.engine.quietTarget(lab.spec);
        assertTrue(quiet.contains("standby " + lab.target.address() + " was stopped"), quiet);
        assertThrows(RuntimeException.class, () -> lab.one(lab.target, "SELECT 1"), "the target's server is down");
        assertTrue(lab.engine.quietTarget(lab.spec).contains("was already stopped"));

        SourcePreparation added = new SourcePreparation(true, true, true, List.of(), List.of());
        lab.engine.undoPrepareSource(lab.spec, added);
        assertNull(lab.one(lab.source, "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'switchover_it_copy'"));
        assertNull(lab.one(lab.source, "SELECT 1 FROM pg_roles WHERE rolname = 'replicator'"));
        assertFalse(lab.ssh(lab.source)
                .readFile(lab.one(lab.source, "SHOW hba_file"))
                .contains("switchover:it-copy"));
        assertTrue(
                PgPair.eventually(
                        Duration.ofSeconds(10), () -> lab.one(lab.source, "SELECT 1 FROM pg_stat_replication") == null),
                "the target no longer streams");

        lab.engine.prepareSource(lab.spec);
        BaseCopyResult again = lab.engine.baseCopy(lab.spec, new PgPair.Recording());
        assertTrue(again.alreadyDone(), "the stopped standby is started, not copied again: " + again);
        assertTrue(lab.ssh(lab.target).exists(WITNESS), "not wiped");
        assertEquals("streaming", lab.one(lab.target, "SELECT status FROM pg_stat_wal_receiver"));
    }

    @Test
    @Order(5)
    void wipeGuardRefusesATargetHoldingAnotherClustersData() {
        targetWithOwnData();
        String targetId = lab.systemIdentifier(lab.target);
        assertNotEquals(sourceId, targetId);

        ApplicationFailure f =
                failsWith(Failures.WIPE_REFUSED, () -> lab.engine.baseCopy(lab.spec, new PgPair.Recording()));
        String m = f.getOriginalMessage();
        assertTrue(m.contains("refusing to empty " + PgPair.DATA_DIR + " on " + lab.target.address()), m);
        assertTrue(m.contains("[shop]") && m.contains("1 user tables"), m);
        assertOwnDataIntact(targetId);
        // The rollback that follows leaves a server that holds no copy of this migration alone.
        String quiet = lab.engine.quietTarget(lab.spec);
        assertTrue(quiet.contains("holds no copy of this migration"), quiet);
        assertOwnDataIntact(targetId);
    }

    @Test
    @Order(6)
    void wipeGuardIsNotFooledByAStaleUnfinishedCopyMarker() {
        targetWithOwnData();
        String targetId = lab.systemIdentifier(lab.target);
        // What an interrupted copy of this migration leaves beside the directory; a cluster moved in since.
        lab.ssh(lab.target).writeFile(PgPair.COPY_MARKER, "unfinished " + sourceId + " it-copy\n", "0644", null);

        failsWith(Failures.WIPE_REFUSED, () -> lab.engine.baseCopy(lab.spec, new PgPair.Recording()));
        assertOwnDataIntact(targetId);
        // Nor is the rollback's stop: the marker does not name the cluster that runs there now.
        String quiet = lab.engine.quietTarget(lab.spec);
        assertTrue(quiet.contains("is not the copy its marker names"), quiet);
        assertOwnDataIntact(targetId);
    }

    @Test
    @Order(7)
    void wrongReplicationPasswordIsBadCredentialsAndLeavesTheTargetAsItWas() {
        // A target the guard lets the copy empty: a cluster that is not a standby, without user data.
        if (!"f".equals(lab.one(lab.target, "SELECT pg_is_in_recovery()"))) Lab.reset(LabHost.PGT.hostName());
        lab.execute(lab.target, "DROP DATABASE IF EXISTS shop");
        lab.execute(lab.target, "DROP TABLE IF EXISTS precious");
        lab.sh(lab.target, "rm", "-f", PgPair.COPY_MARKER);
        String targetId = lab.systemIdentifier(lab.target);
        lab.execute(lab.source, "ALTER ROLE replicator PASSWORD 'changed-by-someone'");
        try {
            ApplicationFailure f =
                    failsWith(Failures.BAD_CREDENTIALS, () -> lab.engine.baseCopy(lab.spec, new PgPair.Recording()));
            String m = f.getOriginalMessage();
            assertTrue(m.contains("refused the replication password for replicator from " + lab.target.address()), m);
            assertTrue(m.contains("env:" + PgPair.PASSWORD_VARIABLE), m);
            assertFalse(m.contains(lab.replicationPassword), "never the password itself");
            assertEquals(targetId, lab.systemIdentifier(lab.target), "checked before the target was emptied");
        } finally {
            lab.engine.prepareSource(lab.spec); // sets the spec's password again
        }
    }

    @Test
    @Order(8)
    void missingHbaRuleIsRefusedBeforeTheTargetIsTouched() {
        String targetId = lab.systemIdentifier(lab.target);
        String hbaFile = lab.one(lab.source, "SHOW hba_file");
        String hba = lab.ssh(lab.source).readFile(hbaFile);
        lab.ssh(lab.source)
                .writeFile(hbaFile, PgHba.withoutRule(hba, "it-copy", "replicator", lab.target.address()), null, null);
        lab.execute(lab.source, "SELECT pg_reload_conf()");
        try {
            ApplicationFailure f =
                    failsWith(Failures.BAD_CREDENTIALS, () -> lab.engine.baseCopy(lab.spec, new PgPair.Recording()));
            assertTrue(
                    f.getOriginalMessage().contains("no rule admitting replicator from " + lab.target.address()),
                    f.getOriginalMessage());
            assertEquals(targetId, lab.systemIdentifier(lab.target));
        } finally {
            lab.engine.prepareSource(lab.spec);
        }
    }

    @Test
    @Order(9)
    void missingSlotIsRefusedBeforeTheTargetIsTouched() {
        String targetId = lab.systemIdentifier(lab.target);
        lab.execute(lab.source, "SELECT pg_drop_replication_slot('switchover_it_copy')");
        try {
            ApplicationFailure f =
                    failsWith(Failures.PREFLIGHT_FAILED, () -> lab.engine.baseCopy(lab.spec, new PgPair.Recording()));
            assertTrue(f.getOriginalMessage().contains("switchover_it_copy is gone"), f.getOriginalMessage());
            assertEquals(targetId, lab.systemIdentifier(lab.target));
        } finally {
            lab.engine.prepareSource(lab.spec);
        }
    }
}
