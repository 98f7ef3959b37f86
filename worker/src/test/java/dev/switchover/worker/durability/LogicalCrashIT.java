package dev.switchover.worker.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.OneWriterSampler;
import dev.switchover.workflows.Approval;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.MigrationStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The logical method (PostgreSQL 15 to 17) through the whole workflow, with the worker SIGKILLed
 * inside each of the method's own steps, and a change of schema on the source during the
 * migration. Every scenario runs under the ledger writer and the one-writer sampler (the
 * application and a superuser, each turning the read-only default off, on both servers): the
 * target is a writable server from the start, closed only by its pg_hba until promotion.
 *
 * <p>One pair of hosts, one scenario after the other, as a lane of its own beside the other
 * classes: a logical migration here takes about as long as the dead worker's timeouts.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("lab hosts lxs and lxt")
class LogicalCrashIT {
    private static final long ROWS = 30_000;
    private static final Duration REACH_WITHIN = Duration.ofMinutes(4);
    private static final Duration DONE_WITHIN = Duration.ofMinutes(6);
    private static final LabMigration.Hosts HOSTS = new LabMigration.Hosts(LabHost.LXS, LabHost.LXT);
    /** What the worker logs each time it promotes (a retry that finds the target promoted does not). */
    private static final String PROMOTED = "promoted: subscriptions dropped";
    /** What the worker logs each time the copy drops a target database to make it afresh. */
    private static final String RECOPIED = "to copy it afresh";

    private static Path dir;
    private static DevServerClient temporal;

    @BeforeAll
    static void startTemporal() throws Exception {
        dir = Files.createTempDirectory("switchover-logical-crash");
        temporal = new DevServerClient(dir);
    }

    @AfterAll
    static void stopTemporal() {
        if (temporal != null) temporal.close();
    }

    /**
     * The logical method's steps, each cut by a SIGKILL: the schema restored on the target before
     * its subscription exists; the subscription created, its initial copy not begun; the middle of
     * the initial copy (the target's link held to 2 Mbit/s, so the orders table is still copying);
     * the sequences set and the subscriptions' proof taken (VerifySync done, Temporal not told);
     * the subscriptions dropped in promotion, the target not yet opened.
     */
    @ParameterizedTest(name = "worker killed {1}")
    @CsvSource({
        "lx-copying, 'heartbeat:BaseCopy@; copying '",
        "lx-schema-restored, 'heartbeat:BaseCopy@restored; subscribing'",
        "lx-subscribed, 'heartbeat:BaseCopy@subscribed; its initial copy begins'",
        "lx-verified, after:VerifySync",
        "lx-dropped, 'heartbeat:Promote@subscriptions dropped'"
    })
    void logicalMigrationCompletesAfterTheWorkerIsKilled(String name, String at) throws Exception {
        CrashPoint point = CrashPoint.parse(at);
        try (LabMigration m = logical(name);
                OneWriterSampler oneWriter = m.sampleOneWriter()) {
            LabMigration.Options options = LabMigration.Options.automatic().withBackupAndWriter();
            m.start(name, at.contains("copying") ? options.withRate("2mbit") : options);
            Path reached = m.dir().resolve("reached");
            WorkerProcess first = m.startCrashingWorker(point, reached);
            m.awaitCrashPoint(first, reached, REACH_WITHIN);
            first.kill();
            m.say("SIGKILLed at " + Files.readString(reached).strip());
            // The link was held back only to find the copy in its middle; the retry's copy runs at full speed.
            Lab.run("rate", HOSTS.target(), "off");
            m.startWorker();
            m.awaitDone(DONE_WITHIN);
            oneWriter.close();
            oneWriter.assertOneWriter(m.frozenAt());
            m.say("one writer: the source took " + oneWriter.acknowledged("source") + " probe writes, the target "
                    + oneWriter.acknowledged("target") + " after its promotion");

            m.assertDataIdentical();
            LabMigration.Activity cut = m.activity(point.activityType());
            m.say(point.activityType() + ": " + cut);
            assertEquals(
                    LabMigration.frozenAttempt(reached) + 1,
                    cut.lastAttempt(),
                    point.activityType() + " was retried once after the kill: " + cut);
            assertEquals(1, m.logCount(PROMOTED), "promotions in the worker logs");
            // Each moved database is made afresh on the target (the fresh cluster's own "postgres" among
            // them): once by the first attempt, again by the retry of a copy cut short, never by a later step's.
            int moved = Integer.parseInt(query(
                    m,
                    HOSTS.sourceAddress(),
                    "SELECT count(*) FROM pg_database WHERE NOT datistemplate AND datallowconn"));
            assertEquals(
                    moved * (point.activityType().equals("BaseCopy") ? 2 : 1),
                    m.logCount(RECOPIED),
                    "target databases dropped to copy them afresh, " + moved + " moved");
            assertPromotedAndCleaned(m, name);
        }
    }

    /**
     * A column added on the source while the migration waits for approval holds it, named: the
     * status says so and the operator's approval is refused naming the column, until the column is
     * added on the target. A second column added after the approval, just before the freeze (the
     * worker held there, then killed), is caught after the freeze: the cutover refused naming it,
     * nothing promoted, the source writable again with nothing lost. Repeated on the target, the
     * migration started again completes with both columns and every row.
     */
    @Test
    void aSchemaChangeOnTheSourceHoldsTheGateAndIsRefusedAfterTheFreeze() throws Exception {
        String name = "lx-schema-change";
        try (LabMigration m = logical(name);
                OneWriterSampler oneWriter = m.sampleOneWriter()) {
            m.start(name, LabMigration.Options.automatic().manual().withBackupAndWriter());
            Path reached = m.dir().resolve("reached");
            WorkerProcess first = m.startCrashingWorker(CrashPoint.parse("before:FreezeWrites"), reached);

            m.awaitStatus("at the gate", s -> s.phase() == Phase.AWAIT_CUTOVER, REACH_WITHIN);
            onSource(m, "ALTER TABLE orders ADD COLUMN note text");
            MigrationStatus held = m.awaitStatus(
                    "the gate held for the new column",
                    s -> s.waitingFor() != null && s.waitingFor().contains("note"),
                    REACH_WITHIN);
            m.say("held: " + held.waitingFor());
            assertEquals(Phase.AWAIT_CUTOVER, held.phase());
            RuntimeException refusedApproval = assertThrows(
                    RuntimeException.class,
                    () -> m.workflow().approveCutover(new Approval("carol", "before the column is on the target")));
            String why = rootMessage(refusedApproval);
            m.say("approval refused: " + why);
            assertTrue(why.contains("schema differs") && why.contains("note"), why);

            onTarget(m, "ALTER TABLE orders ADD COLUMN note text");
            m.approve();
            m.awaitCrashPoint(first, reached, REACH_WITHIN);
            onSource(m, "ALTER TABLE orders ADD COLUMN channel integer");
            first.kill();
            m.startWorker();

            // The workflow fails (as Temporal records it) once the source serves again.
            MigrationStatus refused =
                    m.awaitStatus("the cutover refused", s -> s.phase().isTerminal(), DONE_WITHIN);
            m.say("ended " + refused.phase() + ": " + refused.failure());
            assertEquals(Phase.FAILED, refused.phase());
            String failure = refused.failure();
            assertTrue(
                    failure.contains("channel") && failure.contains("repeat the change on the target"),
                    "the refusal names the column and what to do: " + failure);
            Instant ended = Instant.now();
            Thread.sleep(2_000); // the probes write to the source again
            oneWriter.close();
            assertTrue(oneWriter.acknowledgedAfter("source", ended) > 0, "the source takes writes again");
            assertEquals(0, oneWriter.acknowledged("target"), "writes the unpromoted target took");
            m.assertWriterLostNothingOn(HOSTS.sourceAddress());

            onTarget(m, "ALTER TABLE orders ADD COLUMN channel integer");
            onSource(m, "UPDATE orders SET note = 'after the refusal', channel = 7 WHERE id <= 100");
            // The second run's writer counts its ids from 1 again; the first one's were checked above.
            onSource(m, "DELETE FROM writes");
            m.start(name, LabMigration.Options.automatic().withBackupAndWriter());
            m.awaitDone(DONE_WITHIN);
            m.assertDataIdentical();
            assertEquals("100", queryTarget(m, "SELECT count(*) FROM orders WHERE channel = 7 AND note IS NOT NULL"));
            assertPromotedAndCleaned(m, name);
        }
    }

    private static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause())
            all.append(c.getMessage()).append(" | ");
        return all.toString();
    }

    /** A logical migration from 15 to 17 on fresh hosts, the source allowed its restart for wal_level. */
    private static LabMigration logical(String name) throws Exception {
        LabMigration m = new LabMigration(temporal, HOSTS, dir.resolve(name), name, ROWS);
        m.editingSpec(yaml -> yaml.replace("\nreplication:\n", "\nreplication:\n  method: logical\n")
                .replace("\ncutover:\n", "\ncutover:\n  allowSourceRestart: true\n"));
        return m.prepare();
    }

    /**
     * The target promoted (its marker says so) and open to the application, whose next order takes
     * its id from the sequence past every copied one; no subscription left on the target, no slot or
     * publication on the old source.
     */
    private static void assertPromotedAndCleaned(LabMigration m, String name) throws SQLException {
        assertEquals(
                "promoted " + name,
                m.onTarget("cat", "/var/lib/postgresql/17/.switchover-promoted-" + name)
                        .strip());
        assertEquals("0", queryTarget(m, "SELECT count(*) FROM pg_subscription"), "subscriptions left on the target");
        assertEquals(
                "0",
                query(m, HOSTS.sourceAddress(), "SELECT count(*) FROM pg_replication_slots"),
                "slots left on the source");
        assertEquals("0", query(m, HOSTS.sourceAddress(), "SELECT count(*) FROM pg_publication"), "publications left");
        long next;
        try (Connection c = m.pair().connect(HOSTS.targetAddress())) {
            next = m.pair().dialect().insertWithNextId(c, m.pair().table("orders"));
        }
        m.say("the application's next order on the new primary: id " + next);
        assertTrue(next > ROWS, "the next id " + next + " follows the " + ROWS + " copied orders");
    }

    private static void onSource(LabMigration m, String sql) throws SQLException {
        execute(m, HOSTS.sourceAddress(), sql);
    }

    private static void onTarget(LabMigration m, String sql) throws SQLException {
        execute(m, HOSTS.targetAddress(), sql);
    }

    private static void execute(LabMigration m, String address, String sql) throws SQLException {
        m.say(address + ": " + sql);
        try (Connection c = m.pair().connect(address);
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String queryTarget(LabMigration m, String sql) throws SQLException {
        return query(m, HOSTS.targetAddress(), sql);
    }

    private static String query(LabMigration m, String address, String sql) throws SQLException {
        try (Connection c = m.pair().connect(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
