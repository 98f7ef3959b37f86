package dev.switchover.worker.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.OneWriterSampler;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.status.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The crash test on MySQL 9.7 and MariaDB 10.11: the worker is frozen and SIGKILLed in the middle
 * of the base copy (the dump running on the target) and in the catch-up, while a writer logged in
 * as the application keeps inserting; a plain worker takes over. The migration must end DONE with
 * the source's exact rows on the target, no acknowledged write lost, the target emptied once per
 * copy attempt, promoted once, the interrupted step retried once, the target the application's
 * writable primary and the old source read-only, the copy's marker saying promoted, and one
 * backup of this run. The source's own server is faulted too, each time while a worker is frozen
 * and then killed: SIGKILLed and restarted right after the freeze, and just before promotion;
 * stopped just before promotion (held until it is started again) and right after it (nothing
 * waits on it). In those an application and an administrator try to write on both servers every
 * 20 ms throughout: never two at once. Each engine's scenarios share its pair of hosts, so two run
 * side by side, one per engine.
 */
@Execution(ExecutionMode.CONCURRENT)
class MySqlCrashIT {
    /** About 16 MB of dump: at {@link #COPY_RATE} the copy takes 20-25 s, long enough to kill the worker in. */
    private static final long COPY_ROWS = 300_000;

    private static final String COPY_RATE = "6mbit";
    /**
     * How long the dump runs on after the worker froze at its first heartbeat, before the kill:
     * about a third of it. (Its progress cannot be read on the target: the loading session holds
     * the table locked, and the data file grows by several MiB at a time.)
     */
    private static final Duration INTO_THE_COPY = Duration.ofSeconds(8);

    private static final long CATCH_UP_ROWS = 30_000;
    private static final Duration REACH_WITHIN = Duration.ofMinutes(4);
    /** The dead worker's BaseCopy is handed on after its 1-minute heartbeat timeout; the rest is quick. */
    private static final Duration DONE_WITHIN = Duration.ofMinutes(6);

    private static final Map<Engine, BlockingQueue<LabMigration.Hosts>> HOSTS = Map.of(
            Engine.MYSQL, new LinkedBlockingQueue<>(List.of(new LabMigration.Hosts(LabHost.MYCS, LabHost.MYCT))),
            Engine.MARIADB, new LinkedBlockingQueue<>(List.of(new LabMigration.Hosts(LabHost.MDCS, LabHost.MDCT))));

    private static Path dir;
    private static DevServerClient temporal;

    @BeforeAll
    static void startTemporal() throws Exception {
        dir = Files.createTempDirectory("switchover-mysql-crash");
        temporal = new DevServerClient(dir);
    }

    @AfterAll
    static void stopTemporal() {
        if (temporal != null) temporal.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Engine.class,
            names = {"MYSQL", "MARIADB"})
    void migrationCompletesAfterTheWorkerIsKilledInTheMiddleOfTheCopy(Engine engine) throws Exception {
        LabMigration.Options throttled =
                LabMigration.Options.automatic().withRate(COPY_RATE).withBackupAndWriter();
        // Twice, no more: the first attempt emptied the fresh target (it held no databases), and the
        // retry found the marker still saying "unfinished" (the killed worker never wrote "complete",
        // whatever its orphaned dump got through), so it stopped any such dump and emptied the
        // half-loaded databases again before copying afresh.
        migrateThroughACrash(
                engine,
                "copy",
                COPY_ROWS,
                throttled,
                "heartbeat:BaseCopy",
                (m, frozen) -> {
                    assertEquals(
                            "unfinished " + sourceIdentity(m, engine),
                            m.copyMarker().strip(),
                            "the copy's marker while the dump runs");
                    // The frozen worker no longer reads the dump's progress, but the dump itself goes on
                    // (mysqldump | mysql, both on the target): let it load part of the table first.
                    Thread.sleep(INTO_THE_COPY.toMillis());
                    String dump = dumpTool(engine);
                    String running = m.onTarget("sh", "-c", "pgrep -a -x " + dump + " || true")
                            .strip();
                    m.say("on the target while frozen: " + running + "; " + ordersFileOnTarget(m));
                    assertTrue(
                            running.contains(" -h " + m.hosts().sourceAddress()) && running.contains("--databases"),
                            "frozen while " + dump + " copies from the source: " + running);
                    Instant killed = kill(m, frozen);
                    m.startWorker();
                    // Still throttled: does the dead worker's dump outlive it? (The retry stops it if so.)
                    m.say("the dead worker's " + dump + " 5 s after the kill: "
                            + orphanAfter(m, dump, killed.plusSeconds(5)));
                    Lab.run("heal", m.hosts().target());
                    return killed;
                },
                "BaseCopy",
                2);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Engine.class,
            names = {"MYSQL", "MARIADB"})
    void migrationCompletesAfterTheWorkerIsKilledInCatchUp(Engine engine) throws Exception {
        LabMigration.Options options = LabMigration.Options.automatic().withBackupAndWriter();
        // Once: the copy finished before the kill, and nothing after it empties the target.
        migrateThroughACrash(
                engine,
                "catch-up",
                CATCH_UP_ROWS,
                options,
                "before:MeasureLag#3",
                (m, frozen) -> {
                    assertEquals(1, m.activity("BaseCopy").completed(), "the copy is done when the worker freezes");
                    assertEquals(
                            0,
                            m.activity("FreezeWrites").scheduled(),
                            "the source is not frozen yet: still catching up");
                    assertFalse(m.pair().isPrimary(m.hosts().targetAddress()), "the target replicates from the source");
                    Instant killed = kill(m, frozen);
                    m.startWorker();
                    return killed;
                },
                "MeasureLag",
                1);
    }

    /**
     * The source's server SIGKILLed and started again right after the freeze (a crash and a
     * supervisor's restart), while the worker is frozen there and then killed too: the source comes
     * back fenced (read_only persisted, the accounts still locked), the new worker proves it and
     * promotes. Throughout, an application account and an ALL PRIVILEGES administrator try to write
     * on both servers every 20 ms: never two servers at once, never the source after the freeze.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Engine.class,
            names = {"MYSQL", "MARIADB"})
    void theSourceCrashedAndRestartedAfterTheFreezeComesBackFencedAndNothingIsLost(Engine engine) throws Exception {
        underOneWriter(
                engine,
                "crash-source",
                (m, oneWriter) -> {
                    WorkerProcess frozen = freezeAt(m, "after:FreezeWrites");
                    m.crashAndRestartSource();
                    Instant killed = kill(m, frozen);
                    m.startWorker();
                    m.awaitDone(DONE_WITHIN);
                    m.say("FreezeWrites attempt 2 started "
                            + Duration.between(
                                            killed, m.activity("FreezeWrites").lastStarted())
                                    .toSeconds() + " s after the kill");
                },
                "FreezeWrites");
    }

    /**
     * Two source faults in one migration, each while a worker is frozen and then killed. First the
     * source's server SIGKILLed and started again right after VerifySync, just before promotion:
     * nothing re-raises the fence after that, so the restarted source must prove on its own that the
     * fence outlived the crash (read_only persisted, accounts locked, not a transaction further)
     * before the next worker promotes. Then, frozen right after that promotion, the source's server
     * stopped: what follows the promotion asks nothing of the old source, so the last worker ends
     * DONE while it is down. Started again, it comes back fenced. (Chained here, one migration per
     * engine instead of two: in the held scenario the crash point would count the promotion attempts
     * refused while the source is down, so where it froze could not be known beforehand.)
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Engine.class,
            names = {"MYSQL", "MARIADB"})
    void theSourceCrashedBeforePromotionAndStoppedAfterItStaysFencedAndNothingIsLost(Engine engine) throws Exception {
        underOneWriter(
                engine,
                "crash-around-promote",
                (m, oneWriter) -> {
                    LabMigration.Hosts hosts = m.hosts();
                    WorkerProcess verified = freezeAt(m, "after:VerifySync");
                    m.crashAndRestartSource();
                    kill(m, verified);
                    WorkerProcess promoted = freezeAt(m, "after:Promote");
                    assertTrue(m.pair().isPrimary(hosts.targetAddress()), "promoted on the restarted source's proof");
                    m.stopSource();
                    kill(m, promoted);
                    m.startWorker();
                    MigrationResult done = m.awaitDone(DONE_WITHIN);
                    // The retry found the target promoted by its own marker, and the clean-up of the old source
                    // is only words: neither waited on the stopped server.
                    assertTrue(
                            stepDetail(done, Phase.PROMOTE).contains("was already primary"),
                            stepDetail(done, Phase.PROMOTE));
                    String after = stepDetail(done, Phase.POST_PROMOTION);
                    m.say("after promotion: " + after);
                    assertTrue(
                            after.contains("old source: the old source " + hosts.sourceAddress() + " stays fenced"),
                            after);
                    m.startSource();
                    // Came back fenced: the sampler's doors find it read-only and locked (assertOneWriter), and
                    // the application is refused there (assertResumedAndCompleted).
                    Thread.sleep(3000);
                    assertTrue(readOnly(m, hosts.sourceAddress()), "the old source came back read-only");
                    assertEquals(
                            LabMigration.frozenAttempt(reachedFile(m, "after:VerifySync")) + 1,
                            m.activity("VerifySync").lastAttempt(),
                            "VerifySync was retried once after the first kill: " + m.activity("VerifySync"));
                },
                "Promote");
    }

    /**
     * The source's server stopped right after VerifySync, its worker frozen there and killed: the
     * next worker cannot prove the source still fenced, so promotion is held, tried again every 30 s,
     * the target a read-only replica that no client can write to, and status says why and what the
     * operator may do. Once the source's server is started again the proof passes and the migration
     * ends DONE.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = Engine.class,
            names = {"MYSQL", "MARIADB"})
    void promotionIsHeldWhileTheStoppedSourceCannotBeReachedAndGoesOnOnceItIsStarted(Engine engine) throws Exception {
        underOneWriter(
                engine,
                "crash-source-down",
                (m, oneWriter) -> {
                    LabMigration.Hosts hosts = m.hosts();
                    WorkerProcess frozen = freezeAt(m, "after:VerifySync");
                    m.stopSource();
                    kill(m, frozen);
                    m.startWorker();
                    MigrationStatus held = m.awaitStatus(
                            "promotion held for the unreachable source",
                            s -> s.waitingFor() != null && s.waitingFor().contains("cannot be reached"),
                            REACH_WITHIN);
                    m.say("held: " + held.waitingFor());
                    assertEquals(Phase.PROMOTE, held.phase());
                    assertTrue(
                            held.waitingFor().contains("promote-without-source"),
                            "the operator's choices: " + held.waitingFor());
                    // Still held at the next proof, 30 s on: held means not promoted, however long it lasts.
                    awaitPromoteScheduled(m, 2);
                    assertEquals(Phase.PROMOTE, m.workflow().status().phase());
                    assertFalse(
                            m.pair().isPrimary(hosts.targetAddress()),
                            "the target is not promoted while the source is unproved");
                    assertTrue(readOnly(m, hosts.targetAddress()), "the target is still read-only");
                    assertEquals(0, oneWriter.acknowledged("target"), "writes the held target acknowledged");
                    m.startSource();
                    m.awaitDone(DONE_WITHIN);
                    LabMigration.Activity promote = m.activity("Promote");
                    m.say("Promote: " + promote);
                    assertTrue(promote.scheduled() >= 2, "Promote tried again while held: " + promote);
                    // Each refusal is final for its activity (the workflow schedules the next proof itself); the
                    // last, against a server just started, may meet it still opening and be retried.
                    List<Integer> refused = promote.attempts().subList(0, promote.scheduled() - 1);
                    assertEquals(
                            Collections.nCopies(refused.size(), 1),
                            refused,
                            "each refused Promote ran once: " + promote);
                    assertEquals(1, promote.completed(), "only the last Promote completed: " + promote);
                    assertTrue(
                            m.workflow().status().notes().stream().anyMatch(n -> n.contains("HELD before promotion")),
                            "the hold is in the notes: " + m.workflow().status().notes());
                },
                "VerifySync");
    }

    /** What a source-fault scenario does between the migration's start and its DONE, and the checks it adds. */
    @FunctionalInterface
    private interface UnderOneWriter {
        void run(LabMigration m, OneWriterSampler oneWriter) throws Exception;
    }

    /**
     * A migration on the engine's pair with the ledger writer and, from before its start to after
     * {@code scenario}, the single-writer sampler: then never two writable servers and never the
     * source after the freeze, and the checks every scenario ends with, {@code cutStep} being the
     * step the first kill cut short.
     */
    private static void underOneWriter(Engine engine, String scenario, UnderOneWriter body, String cutStep)
            throws Exception {
        String name = engine.id() + "-" + scenario;
        LabMigration.Hosts hosts = HOSTS.get(engine).take();
        try (LabMigration m = new LabMigration(engine, temporal, hosts, dir.resolve(name), name, CATCH_UP_ROWS)) {
            m.prepare();
            OneWriterSampler oneWriter = m.sampleOneWriter();
            m.start(name, LabMigration.Options.automatic().withBackupAndWriter());
            body.run(m, oneWriter);
            oneWriter.close();
            oneWriter.assertOneWriter(m.frozenAt());
            m.say("one writer: the source took " + oneWriter.acknowledged("source") + " probe writes before the freeze,"
                    + " the target " + oneWriter.acknowledged("target") + " after its promotion");
            assertResumedAndCompleted(m, engine, name, cutStep, 1, true);
        } finally {
            HOSTS.get(engine).put(hosts);
        }
    }

    /** The server's global read_only, as the lab's administrator reads it. */
    private static boolean readOnly(LabMigration m, String address) throws SQLException {
        try (Connection c = m.pair().connect(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT @@global.read_only")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void awaitPromoteScheduled(LabMigration m, int times) throws InterruptedException {
        long deadline = System.nanoTime() + REACH_WITHIN.toNanos();
        while (m.activity("Promote").scheduled() < times) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("Promote not tried " + times + " times: " + m.activity("Promote"));
            Thread.sleep(1000);
        }
        m.say("Promote tried " + times + " times, still held");
    }

    /** The detail of the last step of {@code phase} in the migration's result. */
    private static String stepDetail(MigrationResult done, Phase phase) {
        return done.status().steps().stream()
                .filter(s -> s.phase() == phase)
                .reduce((a, b) -> b)
                .orElseThrow()
                .detail();
    }

    /** What a scenario does once its first worker is frozen: checks, the SIGKILL, the next worker. */
    @FunctionalInterface
    private interface Crash {
        /** Returns when the worker was killed. */
        Instant handle(LabMigration m, WorkerProcess frozen) throws Exception;
    }

    /**
     * A migration on the engine's pair of hosts, its first worker frozen at {@code at} and handed
     * to {@code crash}; then the checks every scenario ends with, {@code wipes} being how often the
     * target must have been emptied for a copy.
     */
    private static void migrateThroughACrash(
            Engine engine,
            String scenario,
            long rows,
            LabMigration.Options options,
            String at,
            Crash crash,
            String cutStep,
            int wipes)
            throws Exception {
        String name = engine.id() + "-crash-" + scenario;
        LabMigration.Hosts hosts = HOSTS.get(engine).take();
        try (LabMigration m = new LabMigration(engine, temporal, hosts, dir.resolve(name), name, rows)) {
            m.prepare();
            m.start(name, options);
            Instant killed = crash.handle(m, freezeAt(m, at));
            m.awaitDone(DONE_WITHIN);
            m.say(cutStep + " attempt 2 started "
                    + Duration.between(killed, m.activity(cutStep).lastStarted())
                            .toSeconds() + " s after the kill");
            assertResumedAndCompleted(m, engine, name, cutStep, wipes, false);
        } finally {
            HOSTS.get(engine).put(hosts);
        }
    }

    private static WorkerProcess freezeAt(LabMigration m, String at) throws Exception {
        Path reached = reachedFile(m, at);
        WorkerProcess first = m.startCrashingWorker(CrashPoint.parse(at), reached);
        m.awaitCrashPoint(first, reached, REACH_WITHIN);
        m.say("frozen at " + Files.readString(reached).strip());
        return first;
    }

    /** One file per crash point: a migration may freeze more than one worker. */
    private static Path reachedFile(LabMigration m, String at) {
        return m.dir().resolve("reached-" + at.replace(':', '-'));
    }

    private static Instant kill(LabMigration m, WorkerProcess frozen) throws InterruptedException {
        frozen.kill();
        m.say("SIGKILLed the frozen worker");
        return Instant.now();
    }

    /**
     * What every scenario must end with, {@code wipes} being how often the target was emptied for a
     * copy. After a fault of the source ({@code sourceFaulted}) the step retried after the kill may
     * meet the source still recovering and be retried again (CI saw a third FreezeWrites attempt
     * under load); it must still have completed once.
     */
    private static void assertResumedAndCompleted(
            LabMigration m, Engine engine, String name, String cutStep, int wipes, boolean sourceFaulted)
            throws Exception {
        m.assertDataIdentical();
        m.assertTargetServesAndSourceRefuses();
        LabMigration.Activity cut = m.activity(cutStep);
        m.say(cutStep + ": " + cut + "; target emptied " + m.wipes() + " times");
        if (sourceFaulted) {
            assertTrue(cut.lastAttempt() >= 2 && cut.lastAttempt() <= 4, cutStep + " retried after the kill: " + cut);
            assertEquals(1, cut.completed(), cutStep + " completed once: " + cut);
        } else {
            assertEquals(2, cut.lastAttempt(), cutStep + " was retried once after the kill: " + cut);
        }
        assertEquals(wipes, m.wipes(), "times the target was emptied for a copy");
        m.assertPromotedOnce();
        assertEquals(
                "promoted " + sourceIdentity(m, engine), m.copyMarker().strip(), "the copy's marker on the target");
        assertEquals(
                List.of(m.hosts().targetAddress()), m.trafficSwitches(), "the traffic switch ran once, to the target");
        m.assertOneCompleteBackupOfThisRun(name);
    }

    /** The source's identity as the engine writes it in the copy's marker. */
    private static String sourceIdentity(LabMigration m, Engine engine) throws SQLException {
        String sql = engine == Engine.MYSQL
                ? "SELECT @@server_uuid"
                : "SELECT CONCAT(@@hostname, ':', @@port, '/', @@server_id)";
        try (Connection c = m.pair().connect(m.hosts().sourceAddress());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String dumpTool(Engine engine) {
        return engine == Engine.MYSQL ? "mysqldump" : "mariadb-dump";
    }

    private static String ordersFileOnTarget(LabMigration m) {
        return m.onTarget("sh", "-c", "ls -l /var/lib/mysql/shop/orders.ibd 2>&1 || true")
                .strip();
    }

    /** Whether the killed worker's dump still runs on the target at {@code at}. */
    private static String orphanAfter(LabMigration m, String dump, Instant at) throws InterruptedException {
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), at).toMillis()));
        String pids = m.onTarget("sh", "-c", "pgrep -x " + dump + " || true").strip();
        return pids.isEmpty() ? "gone" : "still running (pid " + pids.replace('\n', ' ') + ")";
    }
}
