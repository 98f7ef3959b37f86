package dev.switchover.worker.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.OneWriterSampler;
import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The crash matrix: for each step of the runbook, a worker is frozen at that point and killed
 * with SIGKILL; a new worker process takes over; the migration must end DONE with the source's
 * exact data on the target, every write a client saw acknowledged on the new primary, the target
 * emptied once, pg_promote() run once, and the step that was cut short retried (attempt 2).
 *
 * <p>Most points are "after": the step did its work but the worker died before Temporal heard of
 * it, so the retry meets a world the step already changed. "heartbeat" points freeze a long step
 * in its middle (the post-promotion backup is copying), "before" points before a step starts.
 * The PgBouncer points kill the worker after each of PgBouncer's steps, with the writer's one
 * connection through PgBouncer: its clients stay held until the retry moves them on.
 * Scenarios run two at a time, each on its own pair of lab hosts and its own task queue, beside
 * the other test classes: with two cores, a third made everything else slow enough to time out.
 */
@Execution(ExecutionMode.CONCURRENT)
class CrashMatrixIT {
    private static final long ROWS = 30_000;
    private static final Duration REACH_WITHIN = Duration.ofMinutes(4);
    /** The longest wait is WriteReport's: no heartbeat, so its 2-minute start-to-close timeout. */
    private static final Duration DONE_WITHIN = Duration.ofMinutes(6);
    /** Mostly waiting out a dead worker's timeouts, so two run side by side. */
    private static final BlockingQueue<LabMigration.Hosts> PAIRS = new LinkedBlockingQueue<>(List.of(
            new LabMigration.Hosts(LabHost.CM1S, LabHost.CM1T), new LabMigration.Hosts(LabHost.CM2S, LabHost.CM2T)));

    /** PgBouncer's scenarios: PgBouncer on its own host in front of the pair's source. */
    private static final String PGBOUNCER = "pgbouncer ";

    private static final Map<String, LabHost> BOUNCERS =
            Map.of(LabHost.CM1S.hostName(), LabHost.CM1B, LabHost.CM2S.hostName(), LabHost.CM2B);

    private static Path dir;
    private static DevServerClient temporal;

    @BeforeAll
    static void startTemporal() throws Exception {
        dir = Files.createTempDirectory("switchover-crash-matrix");
        temporal = new DevServerClient(dir);
    }

    @AfterAll
    static void stopTemporal() {
        if (temporal != null) temporal.close();
    }

    @ParameterizedTest(name = "worker killed {0}")
    @ValueSource(
            strings = {
                "after:Preflight",
                "after:BenchmarkTarget",
                "after:PrepareSource",
                "after:BaseCopy",
                "before:MeasureLag#3",
                "after:FreezeWrites",
                "after:VerifySync",
                "after:Promote",
                "after:SwitchTraffic",
                "heartbeat:BackupNewPrimary",
                "after:BackupNewPrimary",
                "after:RunChecklist",
                "after:WriteReport",
                PGBOUNCER + "after:PauseTraffic",
                PGBOUNCER + "after:RepointTraffic",
                PGBOUNCER + "after:ResumeTraffic"
            })
    void migrationCompletesAfterTheWorkerIsKilled(String at) throws Exception {
        boolean pgbouncer = at.startsWith(PGBOUNCER);
        CrashPoint point = CrashPoint.parse(at.substring(pgbouncer ? PGBOUNCER.length() : 0));
        String name = "cm-" + at.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        LabMigration.Hosts hosts = PAIRS.take();
        try (LabMigration m = new LabMigration(temporal, hosts, dir.resolve(name), name, ROWS)) {
            m.prepare();
            if (pgbouncer) {
                m.throughPgBouncer(BOUNCERS.get(hosts.source()));
                m.start(name, new LabMigration.Options("automatic", null, false, true, null));
                killAndResume(m, point);
                m.assertDataIdentical();
                assertRetriedOnceCopiedOncePromotedOnce(m, point);
                // Clients held by PAUSE throughout, whichever step the worker died in, then let through on the target.
                assertEquals(
                        "appdb = host=" + hosts.targetAddress() + " port=5432 dbname=postgres",
                        m.bouncer().entry());
                assertEquals(
                        hosts.targetAddress() + ":5432 running", m.bouncer().routing());
                return;
            }
            LabMigration.Options options = LabMigration.Options.automatic().withBackupAndWriter();
            SourceFault fault = SOURCE_FAULTS.get(at);
            OneWriterSampler oneWriter = fault == null ? null : m.sampleOneWriter();
            // About 30 MB at 4 MB/s: the backup is still copying when the frozen worker is looked at,
            // where unthrottled it could finish between the first heartbeat and the pgrep.
            m.start(name, point.when() == CrashPoint.When.HEARTBEAT ? options.withBackupRate("4M") : options);
            if (fault != null) {
                killAndResumeWithSourceFault(m, point, fault);
                oneWriter.close();
                oneWriter.assertOneWriter(m.frozenAt());
                m.say("one writer: the source took " + oneWriter.acknowledged("source")
                        + " probe writes before the freeze," + " the target " + oneWriter.acknowledged("target")
                        + " after its promotion");
            } else {
                killAndResume(m, point, () -> {
                    String running = m.onTarget("sh", "-c", "pgrep -a pg_basebackup || true")
                            .strip();
                    m.say("on the target while frozen: " + running);
                    assertTrue(
                            running.contains(m.backupDirectory() + "/" + name),
                            "frozen while the backup runs: " + running);
                });
            }
            m.assertDataIdentical();
            assertRetriedOnceCopiedOncePromotedOnce(m, point);
            List<String> switches = m.trafficSwitches();
            assertEquals(
                    point.activityType().equals("SwitchTraffic") ? 2 : 1,
                    switches.size(),
                    "traffic switch hook runs: " + switches);
            assertTrue(
                    switches.stream().allMatch(hosts.targetAddress()::equals),
                    "traffic went to the target: " + switches);
            m.assertOneCompleteBackupOfThisRun(name);
        } finally {
            PAIRS.put(hosts);
        }
    }

    /**
     * The target's server stopped right before promotion: every attempt fails, and the phase
     * (PROMOTE) cannot say whether one got as far as promoting. The abort is accepted anyway; the
     * running attempt ends first, then the target is asked, once it answers, whether it takes
     * writes. It is a standby, so the cutover rolls back: the source serves the writer again with
     * nothing lost, and the target never took a write.
     */
    @org.junit.jupiter.api.Test
    void anAbortWhilePromotionFailsAgainstAStoppedTargetAsksTheTargetAndRollsBack() throws Exception {
        String name = "cm-abort-in-promote";
        LabMigration.Hosts hosts = PAIRS.take();
        try (LabMigration m = new LabMigration(temporal, hosts, dir.resolve(name), name, ROWS)) {
            m.prepare();
            OneWriterSampler oneWriter = m.sampleOneWriter();
            m.start(name, LabMigration.Options.automatic().withBackupAndWriter());
            Path reached = m.dir().resolve("reached");
            // Frozen as Promote starts: the new worker's attempt is the first to run, against the stopped target.
            WorkerProcess first = m.startCrashingWorker(CrashPoint.parse("before:Promote"), reached);
            m.awaitCrashPoint(first, reached, REACH_WITHIN);
            m.stopTarget();
            first.kill();
            m.startWorker();
            m.awaitStatus("promotion under way", s -> s.phase() == Phase.PROMOTE, REACH_WITHIN);
            Thread.sleep(15_000); // a few attempts fail against the stopped target
            String answer = m.workflow().abort(new AbortRequest("carol", "the target's host is gone"));
            m.say("abort: " + answer);
            assertTrue(answer.contains("asked whether it takes writes"), answer);
            Thread.sleep(5_000);
            m.startTarget();
            MigrationStatus end = m.awaitStatus("rolled back", s -> s.phase().isTerminal(), REACH_WITHIN);
            assertEquals(Phase.ABORTED, end.phase(), end.failure());
            // The rollback leaves the target quiet: its standby stopped, not retrying against the source.
            assertTrue(
                    end.notes().stream().anyMatch(n -> n.contains("standby " + hosts.targetAddress() + " was stopped")),
                    end.notes().toString());
            m.startTarget();
            assertFalse(
                    m.pair().isPrimary(hosts.targetAddress()), "the target was never promoted: it starts as a standby");
            java.time.Instant rolledBack = java.time.Instant.now();
            Thread.sleep(2_000); // the writer and the doors write to the source again
            oneWriter.close();
            assertTrue(oneWriter.acknowledgedAfter("source", rolledBack) > 0, "the source takes writes again");
            assertEquals(0, oneWriter.acknowledged("target"), "writes the unpromoted target took");
            m.say("the source took " + oneWriter.acknowledged("source")
                    + " probe writes, before the freeze and after the" + " rollback");
            m.assertWriterLostNothingOn(hosts.sourceAddress());
        } finally {
            PAIRS.put(hosts);
        }
    }

    /** What happens to the source's server while the worker is frozen, in the scenarios that fault it too. */
    enum SourceFault {
        /** SIGKILLed and started again right away: it must come back fenced. */
        CRASH_AND_RESTART,
        /** Stopped before promotion: promotion is held, the target still a standby, until it is started again. */
        DOWN_BEFORE_PROMOTION,
        /** Stopped right after the target's promotion: nothing after it waits on the old source. */
        DOWN_AFTER_PROMOTION
    }

    private static final Map<String, SourceFault> SOURCE_FAULTS = Map.of(
            "after:FreezeWrites", SourceFault.CRASH_AND_RESTART,
            "after:VerifySync", SourceFault.DOWN_BEFORE_PROMOTION,
            "after:Promote", SourceFault.DOWN_AFTER_PROMOTION);

    /** As {@link #killAndResume}, with the source's server faulted while the first worker is frozen. */
    private static void killAndResumeWithSourceFault(LabMigration m, CrashPoint point, SourceFault fault)
            throws Exception {
        Path reached = m.dir().resolve("reached");
        WorkerProcess first = m.startCrashingWorker(point, reached);
        m.awaitCrashPoint(first, reached, REACH_WITHIN);
        switch (fault) {
            case CRASH_AND_RESTART -> m.crashAndRestartSource();
            case DOWN_BEFORE_PROMOTION, DOWN_AFTER_PROMOTION -> m.stopSource();
        }
        first.kill();
        m.say("SIGKILLed at " + Files.readString(reached).strip());
        m.startWorker();
        if (fault == SourceFault.DOWN_BEFORE_PROMOTION) {
            MigrationStatus held = m.awaitStatus(
                    "promotion held for the unreachable source",
                    s -> s.waitingFor() != null && s.waitingFor().contains("cannot be reached"),
                    REACH_WITHIN);
            m.say("held: " + held.waitingFor());
            assertEquals(Phase.PROMOTE, held.phase());
            assertFalse(
                    m.pair().isPrimary(m.hosts().targetAddress()),
                    "the target is not promoted while the source is unproved");
            m.startSource();
        }
        MigrationResult done = m.awaitDone(DONE_WITHIN);
        if (fault == SourceFault.DOWN_AFTER_PROMOTION) {
            String promoted = done.status().steps().stream()
                    .filter(s -> s.phase() == Phase.PROMOTE)
                    .reduce((a, b) -> b)
                    .orElseThrow()
                    .detail();
            m.say("promotion: " + promoted);
            assertTrue(promoted.contains("could not be asked to drop"), promoted);
            m.startSource();
        }
    }

    private static void killAndResume(LabMigration m, CrashPoint point) throws Exception {
        killAndResume(m, point, () -> {});
    }

    /** The first worker frozen at {@code point}, {@code whileFrozen} checked, SIGKILL, a new worker, DONE. */
    private static void killAndResume(LabMigration m, CrashPoint point, Runnable whileFrozen) throws Exception {
        Path reached = m.dir().resolve("reached");
        WorkerProcess first = m.startCrashingWorker(point, reached);
        m.awaitCrashPoint(first, reached, REACH_WITHIN);
        if (point.when() == CrashPoint.When.HEARTBEAT) whileFrozen.run();
        first.kill();
        m.say("SIGKILLed at " + Files.readString(reached).strip());
        m.startWorker();
        m.awaitDone(DONE_WITHIN);
    }

    private static void assertRetriedOnceCopiedOncePromotedOnce(LabMigration m, CrashPoint point) throws Exception {
        LabMigration.Activity cut = m.activity(point.activityType());
        m.say(point.activityType() + ": " + cut);
        assertEquals(
                LabMigration.frozenAttempt(m.dir().resolve("reached")) + 1,
                cut.lastAttempt(),
                point.activityType() + " was retried once after the kill: " + cut);
        assertEquals(1, m.wipes(), "the target's data directory was emptied once, before the copy");
        m.assertPromotedOnce();
        m.assertCopyMarkedComplete();
    }
}
