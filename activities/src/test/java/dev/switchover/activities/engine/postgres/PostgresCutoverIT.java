package dev.switchover.activities.engine.postgres;

import static dev.switchover.activities.engine.postgres.PgPair.eventually;
import static dev.switchover.activities.engine.postgres.PgPair.failsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
 * The cutover on pgs and pgt after a real copy, in the runbook's order: lag, a freeze that is
 * rolled back, a sync that is not reached, the real freeze and sync, promotion, and a promotion
 * refused on a host that is not the copy. Each test leaves the pair as the next step expects it.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:pgs+pgt")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresCutoverIT {
    static PgPair lab;
    static FrozenSource frozen;

    @BeforeAll
    static void up() {
        lab = PgPair.fresh("it-cutover");
        lab.engine.prepareSource(lab.spec);
        lab.execute(lab.source, "CREATE TABLE orders (id bigint PRIMARY KEY, note text)");
        lab.engine.baseCopy(lab.spec, new PgPair.Recording());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    /** "0/3000148" as a number, to compare positions. */
    static long lsn(String text) {
        String[] parts = text.split("/");
        return (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
    }

    private static void insertOnSource(String sql) {
        lab.execute(lab.source, sql);
    }

    @Test
    @Order(1)
    void lagIsSmallAndStreamingAfterTheCopy() {
        LagSample first = lab.engine.measureLag(lab.spec);
        assertTrue(first.streaming(), first.toString());
        assertEquals("streaming/async", first.state());
        assertNotNull(first.targetPosition());
        assertTrue(
                eventually(
                        Duration.ofSeconds(15),
                        () -> lab.engine.measureLag(lab.spec).lagBytes() < 1 << 20),
                "lag under 1 MiB: " + lab.engine.measureLag(lab.spec));
    }

    @Test
    @Order(2)
    void lagGrowsWhileTheTargetFallsBehindAndReturnsToNearZero() {
        // Replay paused, so the burst is certain to be behind when it is measured.
        lab.execute(lab.target, "SELECT pg_wal_replay_pause()");
        try {
            insertOnSource("INSERT INTO orders SELECT g, repeat('x', 200) FROM generate_series(1, 50000) g");
            assertTrue(
                    eventually(
                            Duration.ofSeconds(10),
                            () -> lab.engine.measureLag(lab.spec).lagBytes() > 1 << 20),
                    "lag over 1 MiB during the burst: " + lab.engine.measureLag(lab.spec));
            LagSample behind = lab.engine.measureLag(lab.spec);
            assertTrue(behind.streaming(), "still connected while behind: " + behind);
            assertTrue(lsn(behind.sourcePosition()) > lsn(behind.targetPosition()), behind.toString());
        } finally {
            lab.execute(lab.target, "SELECT pg_wal_replay_resume()");
        }
        // The standby reports its replay position at least every wal_receiver_status_interval (10 s).
        assertTrue(
                eventually(
                        Duration.ofSeconds(30),
                        () -> lab.engine.measureLag(lab.spec).lagBytes() < 64 << 10),
                "caught up: " + lab.engine.measureLag(lab.spec));
        assertEquals("50000", lab.one(lab.target, "SELECT count(*) FROM orders"));
    }

    @Test
    @Order(3)
    void freezeRefusesWritesToEverySessionAndUnfreezeRestoresThem() {
        try (PgSession client = lab.admin(lab.source)) {
            client.execute("BEGIN");
            client.execute("INSERT INTO orders VALUES (-1, 'in flight at the freeze')");

            FrozenSource f = lab.engine.freezeWrites(lab.spec);
            assertNotNull(f.finalPosition());
            assertTrue(f.sessionsEnded() >= 1, f.toString());

            IllegalStateException ended = assertThrows(IllegalStateException.class, () -> client.execute("COMMIT"));
            assertTrue(
                    ended.getMessage().contains("terminat")
                            || ended.getMessage().contains("I/O error"),
                    ended.getMessage());
        }
        assertNull(lab.one(lab.source, "SELECT 1 FROM orders WHERE id = -1"), "the open transaction did not commit");
        IllegalStateException refused = assertThrows(
                IllegalStateException.class,
                () -> insertOnSource("INSERT INTO orders VALUES (-2, 'after the freeze')"));
        assertTrue(refused.getMessage().contains("read-only transaction"), refused.getMessage());

        FrozenSource again = lab.engine.freezeWrites(lab.spec);
        assertEquals(0, again.sessionsEnded(), "a retried freeze finds nothing to end");

        lab.engine.unfreezeWrites(lab.spec);
        insertOnSource("INSERT INTO orders VALUES (-3, 'after the unfreeze')");
        assertEquals("1", lab.one(lab.source, "SELECT count(*) FROM orders WHERE id = -3"));
        lab.engine.unfreezeWrites(lab.spec); // idempotent
    }

    @Test
    @Order(4)
    void targetThatHasNotReplayedTheFinalPositionIsNeitherSyncedNorPromoted() {
        MigrationSpec quick = PgPair.spec(lab.yaml("it-cutover").replace("syncTimeout: 30s", "syncTimeout: 2s"));
        lab.execute(lab.target, "SELECT pg_wal_replay_pause()");
        try {
            insertOnSource("INSERT INTO orders VALUES (-4, 'not replayed')");
            FrozenSource f = lab.engine.freezeWrites(quick);
            ApplicationFailure sync =
                    failsWith(Failures.SYNC_NOT_REACHED, () -> lab.engine.verifySync(quick, f, new PgPair.Recording()));
            assertTrue(sync.getOriginalMessage().contains(f.finalPosition()), sync.getOriginalMessage());
            failsWith(Failures.SYNC_NOT_REACHED, () -> lab.engine.promote(quick, f));
            assertEquals("t", lab.one(lab.target, "SELECT pg_is_in_recovery()"), "still a standby");
        } finally {
            lab.execute(lab.target, "SELECT pg_wal_replay_resume()");
            lab.engine.unfreezeWrites(lab.spec);
        }
    }

    @Test
    @Order(5)
    void finalPositionCoversEveryWriteAcknowledgedBeforeTheFreeze() throws Exception {
        // Writers commit with synchronous_commit = off, as many applications do: their commits are
        // acknowledged before the WAL is written. Each records where the WAL was after its commit.
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        List<Thread> writers = new ArrayList<>();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch writing = new CountDownLatch(4);
        for (int w = 0; w < 4; w++) {
            long base = 1_000_000L * (w + 1);
            Thread t = new Thread(
                    () -> {
                        try (PgSession s = lab.admin(lab.source)) {
                            s.execute("SET synchronous_commit = off");
                            for (long id = base; ; id++) {
                                s.execute("INSERT INTO orders VALUES (?, 'acknowledged')", id);
                                String after = s.one("SELECT pg_current_wal_insert_lsn()::text");
                                acknowledged.put(id, after);
                                if (id == base + 10) writing.countDown();
                            }
                        } catch (RuntimeException e) {
                            firstError.compareAndSet(null, e.getMessage());
                        }
                    },
                    "writer-" + w);
            t.start();
            writers.add(t);
        }
        assertTrue(writing.await(30, TimeUnit.SECONDS), "writers started: " + firstError.get());
        Thread.sleep(500);

        frozen = lab.engine.freezeWrites(lab.spec);
        for (Thread t : writers) t.join(30_000);
        // A writer between statements sees the read-only default first; one inside a statement is ended.
        assertTrue(
                firstError.get().contains("read-only transaction")
                        || firstError.get().contains("terminat"),
                firstError.get());
        assertFalse(acknowledged.isEmpty());

        long finalPosition = lsn(frozen.finalPosition());
        for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
            assertTrue(
                    lsn(e.getValue()) <= finalPosition,
                    "row " + e.getKey() + " was acknowledged with the WAL at " + e.getValue()
                            + ", after the final position " + frozen.finalPosition());
        }

        SyncProof proof = lab.engine.verifySync(lab.spec, frozen, new PgPair.Recording());
        assertEquals(frozen.finalPosition(), proof.sourceFinalPosition());
        assertTrue(lsn(proof.targetPosition()) >= finalPosition, proof.toString());
        // Right when verify-sync says so, the standby holds every acknowledged row.
        Set<Long> onTarget = new HashSet<>();
        try (PgSession t = lab.admin(lab.target)) {
            t.rows("SELECT id FROM orders WHERE id >= 1000000").forEach(r -> onTarget.add(Long.parseLong(r.get(0))));
        }
        Set<Long> missing = new HashSet<>(acknowledged.keySet());
        missing.removeAll(onTarget);
        assertEquals(Set.of(), missing, "acknowledged rows missing on the target of " + acknowledged.size());
    }

    @Test
    @Order(6)
    void promoteMakesTheTargetAWritablePrimaryThatForgetsTheSource() {
        assertNotNull(frozen, "the freeze before this test ran");
        assertEquals(lab.systemIdentifier(lab.source), frozen.sourceId(), "the freeze says which cluster it froze");
        PromotionResult r = lab.engine.promote(lab.spec, frozen);
        assertFalse(r.alreadyPromoted(), r.toString());
        assertTrue(lsn(r.newPrimaryPosition()) >= lsn(frozen.finalPosition()), r.toString());

        assertEquals("f", lab.one(lab.target, "SELECT pg_is_in_recovery()"));
        lab.execute(lab.target, "INSERT INTO orders VALUES (-5, 'on the new primary')");
        assertEquals("", lab.one(lab.target, "SHOW primary_conninfo"));
        assertEquals("", lab.one(lab.target, "SHOW primary_slot_name"));
        String autoConf = lab.sh(lab.target, "cat", PgPair.DATA_DIR + "/postgresql.auto.conf");
        assertFalse(autoConf.contains("primary_conninfo"), autoConf);
        assertFalse(autoConf.contains(lab.replicationPassword), "the replication password is not kept");
        assertFalse(lab.ssh(lab.target).exists(PgPair.DATA_DIR + "/standby.signal"));

        assertNull(
                lab.one(lab.source, "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'switchover_it_cutover'"),
                "the old source keeps no slot that would hold WAL forever");
        assertTrue(
                lab.one(lab.source, "SHOW default_transaction_read_only").equals("on"), "the old source stays frozen");
    }

    @Test
    @Order(7)
    void promotingAgainReportsAlreadyPromoted() {
        String before = lab.one(lab.target, "SELECT pg_postmaster_start_time()::text");
        PromotionResult r = lab.engine.promote(lab.spec, frozen);
        assertTrue(r.alreadyPromoted(), r.toString());
        assertEquals(before, lab.one(lab.target, "SELECT pg_postmaster_start_time()::text"));
        assertEquals("f", lab.one(lab.target, "SELECT pg_is_in_recovery()"));
    }

    @Test
    @Order(8)
    void promoteRefusesATargetThatIsNotACopyOfTheSource() {
        Lab.reset(LabHost.PGT.hostName());
        String stranger = lab.systemIdentifier(lab.target);
        ApplicationFailure f = failsWith(Failures.WRONG_HOST, () -> lab.engine.promote(lab.spec, frozen));
        String m = f.getOriginalMessage();
        assertTrue(m.contains(stranger) && m.contains(lab.systemIdentifier(lab.source)), m);
        assertTrue(m.contains("will not be promoted"), m);
        failsWith(Failures.WRONG_HOST, () -> lab.engine.verifySync(lab.spec, frozen, new PgPair.Recording()));
        // A freeze recorded before it carried the source's identity: the identity is read from the source.
        FrozenSource older = new FrozenSource(frozen.finalPosition(), frozen.sessionsEnded());
        failsWith(Failures.WRONG_HOST, () -> lab.engine.promote(lab.spec, older));
        failsWith(Failures.WRONG_HOST, () -> lab.engine.verifySync(lab.spec, older, new PgPair.Recording()));

        LagSample lag = lab.engine.measureLag(lab.spec);
        assertFalse(lag.streaming(), lag.toString());
        assertTrue(lag.state().startsWith("not connected"), lag.state());
    }
}
