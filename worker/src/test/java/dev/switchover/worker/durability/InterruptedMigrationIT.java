package dev.switchover.worker.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Approval;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowUpdateException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A migration interrupted in the middle of a long step resumes where it stopped: a real Temporal
 * dev server, the worker as its own process (java -jar switchover.jar worker), real lab hosts crs
 * and crt. Each test interrupts one thing with SIGKILL or a cut cable and proves the migration
 * still ends DONE with the source's exact data on the target, and that the destructive steps ran
 * no more often than they had to. {@link CrashMatrixIT} kills the worker at every step boundary.
 *
 * <p>Its own lane beside the other classes (its own hosts, dev server and task queue): run one
 * after the other with the rest it was the longest stretch of `make test`. The lock keeps its own
 * tests one at a time, since they share the hosts.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("lab hosts crs and crt")
class InterruptedMigrationIT {
    private static final LabMigration.Hosts HOSTS = new LabMigration.Hosts(LabHost.CRS, LabHost.CRT);
    /** About 45 MB of table and index: with {@link #COPY_RATE} the copy lasts long enough to cut into. */
    private static final long ROWS = 400_000;

    private static final String COPY_RATE = "16mbit";
    /** The whole copy takes about two minutes: longer than the base copy's heartbeat timeout. */
    private static final String SLOW_COPY_RATE = "4mbit";

    private static final Duration DONE_WITHIN = Duration.ofMinutes(4);
    /** What the writer adds to the WAL in a few seconds, which a connected standby replays at once. */
    private static final long CUT_LAG_BYTES = 128 * 1024;

    private static Path dir;
    private static DevServerClient temporal;

    private LabMigration m;

    @BeforeAll
    static void startLabAndTemporal() throws Exception {
        Lab.run(HOSTS.up());
        dir = Files.createTempDirectory("switchover-durability");
        temporal = new DevServerClient(dir);
    }

    @AfterAll
    static void stopTemporal() {
        if (temporal != null) temporal.close();
        Lab.run("heal", HOSTS.target());
    }

    @BeforeEach
    void freshClustersWithData(TestInfo info) throws Exception {
        m = new LabMigration(
                        temporal,
                        HOSTS,
                        dir.resolve(info.getTestMethod().orElseThrow().getName()),
                        SwitchoverQueues.TASK_QUEUE,
                        ROWS)
                .prepare();
    }

    @AfterEach
    void stopWorkers() throws Exception {
        m.close();
    }

    private MigrationStatus awaitCopyAt(int percent) throws InterruptedException {
        return m.awaitStatus(
                "base copy at " + percent + "%",
                s -> s.phase() == Phase.BASE_COPY && LabMigration.copyPercent(s) >= percent,
                Duration.ofMinutes(2));
    }

    @Test
    void workerKilledDuringBaseCopyIsResumedByANewWorker() throws Exception {
        m.start("dur-a", LabMigration.Options.automatic().withRate(COPY_RATE));
        WorkerProcess first = m.startWorker();
        MigrationStatus at = awaitCopyAt(30);
        m.say("killing the worker at " + LabMigration.pct(at) + "% of the copy");
        first.kill();
        Instant killed = Instant.now();
        m.startWorker();
        // The server hands the copy to the new worker only when the dead one's heartbeat times out
        // (LONG_COPY: 1 min); meanwhile, watch the dead worker's pg_basebackup on the target.
        m.say("the dead worker's copy on the target:\n"
                + m.onTarget(
                        "sh", "-c", "ps -C pg_basebackup,timeout,runuser -o pid,ppid,pgid,etime,stat,args || true"));
        m.say("it outlived the worker by "
                + orphanLifetime(killed, Duration.ofSeconds(40)).toSeconds() + " s");
        Lab.run("heal", HOSTS.target());

        m.awaitDone(DONE_WITHIN);
        m.assertDataIdentical();
        LabMigration.Activity copy = m.activity("BaseCopy");
        m.say("base copy resumed "
                + Duration.between(killed, copy.lastStarted()).toSeconds() + " s after the kill");
        assertEquals(1, copy.scheduled(), "one base copy step");
        assertEquals(2, copy.lastAttempt(), "the killed attempt and the one that finished");
        assertEquals(2, m.wipes(), "the target was emptied once per copy attempt, no more");
        m.assertPromotedOnceWithoutRetry();
        m.assertCopyMarkedComplete();
    }

    /**
     * The dead worker's pg_basebackup outlives its SSH session and still runs, holding the slot,
     * when the new worker's attempt starts after the heartbeat timeout: that attempt must stop it
     * and free the slot before emptying the directory, and succeed at once.
     */
    @Test
    void workerKilledDuringASlowCopyHasItsOrphanedCopyStoppedBeforeTheRetry() throws Exception {
        m.start("dur-a2", LabMigration.Options.automatic().withRate(SLOW_COPY_RATE));
        WorkerProcess first = m.startWorker();
        MigrationStatus at = awaitCopyAt(20);
        m.say("killing the worker at " + LabMigration.pct(at) + "% of the copy");
        first.kill();
        Instant killed = Instant.now();
        m.startWorker();
        Thread.sleep(70_000);
        m.say("70 s after the kill: "
                + m.onTarget("sh", "-c", "pgrep -x pg_basebackup | wc -l").strip()
                + " pg_basebackup processes on the target; healing");
        Lab.run("heal", HOSTS.target());

        m.awaitDone(DONE_WITHIN);
        m.assertDataIdentical();
        LabMigration.Activity copy = m.activity("BaseCopy");
        m.say("base copy attempts: " + copy.lastAttempt() + ", wipes: " + m.wipes() + ", last attempt started "
                + Duration.between(killed, copy.lastStarted()).toSeconds() + " s after the kill");
        assertEquals(1, copy.scheduled(), "one base copy step");
        assertEquals(2, copy.lastAttempt(), "the killed attempt and one retry that stopped its orphan and finished");
        assertEquals(2, m.wipes(), "the target was emptied once per attempt");
        m.assertPromotedOnceWithoutRetry();
        m.assertCopyMarkedComplete();
    }

    @Test
    void workerKilledAwaitingCutoverResumesAndPromotesOnApproval() throws Exception {
        m.start("dur-b", LabMigration.Options.automatic().withRate(COPY_RATE).manual());
        WorkerProcess first = m.startWorker();
        m.awaitStatus("awaiting cutover", s -> s.phase() == Phase.AWAIT_CUTOVER, Duration.ofMinutes(3));
        m.say("killing the worker while it awaits cutover");
        first.kill();
        m.startWorker();
        m.approve();

        m.awaitDone(DONE_WITHIN);
        m.assertDataIdentical();
        m.assertCopiedOnce();
        m.assertPromotedOnceWithoutRetry();
        m.assertCopyMarkedComplete();
    }

    @Test
    void temporalServerKilledDuringBaseCopyRestartsFromItsDatabase() throws Exception {
        m.start("dur-c", LabMigration.Options.automatic().withRate(COPY_RATE));
        m.startWorker();
        MigrationStatus at = awaitCopyAt(30);
        m.say("killing the Temporal server at " + LabMigration.pct(at) + "% of the copy");
        temporal.server.kill();
        Thread.sleep(3000);
        temporal.server.restart();
        m.say("Temporal server restarted from " + dir.resolve("temporal.db"));
        Lab.run("heal", HOSTS.target());

        m.awaitDone(DONE_WITHIN);
        m.assertDataIdentical();
        LabMigration.Activity copy = m.activity("BaseCopy");
        m.say("base copy attempts: " + copy.lastAttempt() + ", wipes: " + m.wipes());
        assertEquals(1, copy.scheduled(), "one base copy step");
        assertTrue(copy.lastAttempt() <= 2, "the copy ran at most twice: " + copy.lastAttempt());
        assertTrue(m.wipes() <= copy.lastAttempt(), "the target was emptied at most once per attempt: " + m.wipes());
        m.assertPromotedOnceWithoutRetry();
        m.assertCopyMarkedComplete();
    }

    @Test
    void linkCutForThirtySecondsDuringBaseCopyStillEndsWithIdenticalData() throws Exception {
        m.start("dur-d", LabMigration.Options.automatic().withRate(COPY_RATE));
        m.startWorker();
        MigrationStatus at = awaitCopyAt(30);
        m.say("cutting the target's link at " + LabMigration.pct(at) + "% of the copy");
        Lab.run("cut", HOSTS.target());
        Thread.sleep(30_000);
        Lab.run("heal", HOSTS.target());
        m.say("healed");

        m.awaitDone(DONE_WITHIN);
        m.assertDataIdentical();
        LabMigration.Activity copy = m.activity("BaseCopy");
        m.say("base copy attempts: " + copy.lastAttempt() + ", wipes: " + m.wipes());
        assertEquals(1, copy.scheduled(), "one base copy step");
        assertTrue(m.wipes() <= copy.lastAttempt(), "the target was emptied at most once per attempt: " + m.wipes());
        m.assertPromotedOnceWithoutRetry();
        m.assertCopyMarkedComplete();
    }

    /**
     * The standby loses its source for 30 s while a writer keeps the source busy: the source's
     * walsender still says "streaming", but the standby's silence shows it out of contact, so an
     * approval is refused; once the link is back the standby catches up from its slot. Nothing
     * acknowledged is lost and the copy is not repeated.
     */
    @Test
    void linkCutForThirtySecondsDuringCatchUpWaitsAndLosesNothing() throws Exception {
        m.start("dur-e", new LabMigration.Options("manual", null, false, true, null));
        m.startWorker();
        m.awaitStatus(
                "catching up",
                s -> s.phase() == Phase.CATCH_UP || s.phase() == Phase.AWAIT_CUTOVER,
                Duration.ofMinutes(3));
        m.say("cutting the target's link during catch-up");
        Lab.run("cut", HOSTS.target());
        long cutAt = System.nanoTime();
        MigrationStatus cut = m.awaitStatus(
                "the standby seen out of contact",
                s -> s.lag() != null && !s.lag().streaming() && s.lag().lagBytes() > CUT_LAG_BYTES,
                Duration.ofSeconds(29));
        m.say("lag while cut: " + cut.lag());
        assertThrows(
                WorkflowUpdateException.class,
                () -> m.workflow().approveCutover(new Approval("durability-test", "while the target is cut off")),
                "approval refused while the target is cut off");
        Thread.sleep(Math.max(0, 30_000 - (System.nanoTime() - cutAt) / 1_000_000));
        Lab.run("heal", HOSTS.target());
        m.say("healed");
        m.approve();

        m.awaitDone(DONE_WITHIN);
        m.assertDataIdentical();
        m.assertCopiedOnce();
        m.assertPromotedOnceWithoutRetry();
    }

    /**
     * A target that cannot keep up (its link held to 2 mbit) under a heavy writer: the WAL the slot
     * holds back on the source is shown growing in status, and at the bound (here 48 MiB) the
     * migration stops by itself, the slot released and the source's WAL back under its usual size,
     * the source serving throughout.
     */
    @Test
    void aTargetTooSlowForTheWritesIsStoppedBeforeTheSlotFillsTheSourcesDisk() throws Exception {
        m.editingSpec(yaml -> yaml.replace("deadline: 10m}", "deadline: 10m, maxRetainedBytes: 50331648}"));
        m.start("dur-f", new LabMigration.Options("manual", null, false, false, null));
        m.startWorker();
        m.awaitStatus("caught up", s -> s.phase() == Phase.AWAIT_CUTOVER, Duration.ofMinutes(3));
        Lab.run("rate", HOSTS.target(), "2mbit");
        List<Long> held = new java.util.ArrayList<>();
        try (Connection c = m.pair().connect(HOSTS.sourceAddress());
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE ballast (b text)");
            long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!m.ended() && System.nanoTime() < until) {
                st.execute("INSERT INTO ballast SELECT repeat(md5(g::text), 30) FROM generate_series(1, 5000) g");
                MigrationStatus s = m.workflow().status();
                if (s.lag() != null
                        && s.lag().retainedBytes() != null
                        && (held.isEmpty() || s.lag().retainedBytes() > held.get(held.size() - 1))) {
                    held.add(s.lag().retainedBytes());
                }
            }
        } finally {
            Lab.run("rate", HOSTS.target(), "off");
        }
        m.say("WAL held on the source as status showed it: " + held);
        // On an idle machine the writer can pass the bound between two status reads: two rising reads suffice.
        assertTrue(
                held.size() >= 2 && held.get(held.size() - 1) > held.get(0),
                "status showed the held WAL growing: " + held);
        WorkflowFailedException failed =
                assertThrows(WorkflowFailedException.class, () -> m.awaitDone(Duration.ofMinutes(1)));
        String why = io.temporal.failure.ApplicationFailure.class
                .cast(failed.getCause())
                .getOriginalMessage();
        assertTrue(
                why.contains("of WAL held back on the source " + HOSTS.sourceAddress()) && why.contains("48.0 MiB"),
                why);
        try (Connection c = m.pair().connect(HOSTS.sourceAddress());
                Statement st = c.createStatement()) {
            ResultSet slots = st.executeQuery("SELECT count(*) FROM pg_replication_slots");
            slots.next();
            assertEquals(0, slots.getInt(1), "the slot was released");
            ResultSet wal = st.executeQuery("SELECT sum(size) FROM pg_ls_waldir()");
            wal.next();
            assertTrue(wal.getLong(1) < 1100L << 20, "the source's WAL back under max_wal_size: " + wal.getLong(1));
            st.execute("INSERT INTO ballast VALUES ('the source takes writes')");
        }
    }

    /** How long pg_basebackup ran on the target after {@code since}; at most {@code limit}. */
    private Duration orphanLifetime(Instant since, Duration limit) throws InterruptedException {
        Instant end = since.plus(limit);
        while (Instant.now().isBefore(end)
                && !"0"
                        .equals(m.onTarget("sh", "-c", "pgrep -x pg_basebackup | wc -l")
                                .strip())) {
            Thread.sleep(1000);
        }
        return Duration.between(since, Instant.now());
    }
}
