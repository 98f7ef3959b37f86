package dev.switchover.activities.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabFlavor;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The PgBouncer switch against a real PgBouncer on lab host pgb in front of pgbs, moved to pgbt:
 * each step's effect on PgBouncer and on a client that stays connected through it, each step
 * run twice, and the refusals. The steps run in the runbook's order; each test leaves PgBouncer
 * as the next expects it.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:pgb+pgbs+pgbt")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PgBouncerSwitchIT {
    private static final String CONF = "/etc/pgbouncer/pgbouncer.ini";
    /** The bouncer's host, named in lab.sh's commands. */
    private static final String PGB = LabHost.PGB.hostName();

    private static Lab bouncer;
    private static Lab source;
    private static Lab target;
    private static AutoCloseable lease;
    private static Hosts hosts;
    private static PgBouncerSwitch pgbouncer;
    private static MigrationSpec spec;
    private static Connection client;
    private static final ExecutorService clientThread = Executors.newSingleThreadExecutor();
    private static final Runnable NO_HEARTBEAT = () -> {};

    @BeforeAll
    static void up() throws Exception {
        lease = Lab.lease(Duration.ofMinutes(10), PGB, LabHost.PGBS.hostName(), LabHost.PGBT.hostName());
        bouncer = LabHost.PGB.up();
        source = LabHost.PGBS.up();
        target = LabHost.PGBT.up();
        for (Lab db : new Lab[] {source, target}) admitPgBouncer(db, bouncer.address());
        Lab.labSh(Duration.ofMinutes(1), "pgbouncer", PGB, "start", "appdb=" + source.address() + "/postgres");
        hosts = new Hosts(new SecretResolver());
        pgbouncer = new PgBouncerSwitch(hosts);
        spec = spec("file:" + bouncer.get("PG_ADMIN_PASSWORD_FILE"), "appdb");
        client = throughPgBouncer();
    }

    @AfterAll
    static void down() throws Exception {
        clientThread.shutdownNow();
        if (client != null) client.close();
        if (hosts != null) hosts.close();
        if (bouncer != null) Lab.labSh(Duration.ofMinutes(1), "pgbouncer", PGB, "stop");
        if (lease != null) lease.close();
    }

    /** Lets PgBouncer's host log in as postgres, as a real deployment's pg_hba would. */
    static void admitPgBouncer(Lab db, String bouncerAddress) {
        String rule = "host all postgres " + bouncerAddress + "/32 scram-sha-256";
        Lab.labSh(
                Duration.ofMinutes(1),
                "exec",
                db.name(),
                "sh",
                "-c",
                "f=/etc/postgresql/15/main/pg_hba.conf; grep -qxF \"$1\" $f || echo \"$1\" >> $f; pg_ctlcluster 15 main reload",
                "sh",
                rule);
    }

    static MigrationSpec spec(String adminPassword, String database) {
        return SpecLoader.parse(
                "name: it-pgbouncer\nengine: postgresql\n"
                        + LabSpec.host("source", source.address(), LabFlavor.POSTGRES15)
                        + LabSpec.host("target", target.address(), LabFlavor.POSTGRES15)
                        + "replication:\n  password: env:UNUSED_BY_THE_TRAFFIC_SWITCH\n"
                        + LabSpec.pgBouncerTraffic(bouncer.address(), adminPassword, database),
                "test spec");
    }

    /** An application's connection: TLS to PgBouncer, no server-side prepared statements (transaction pooling). */
    static Connection throughPgBouncer() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", source.adminPassword());
        p.setProperty("sslmode", "require");
        p.setProperty("prepareThreshold", "0");
        return DriverManager.getConnection("jdbc:postgresql://" + bouncer.address() + ":6432/appdb", p);
    }

    /** The server the client's next transaction runs on, asked from the client thread. */
    static Future<String> serverOfNextQuery() {
        Connection c = client;
        return clientThread.submit(() -> {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT host(inet_server_addr())")) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    static String onBouncer(String... argv) {
        String[] all = new String[argv.length + 2];
        all[0] = "exec";
        all[1] = PGB;
        System.arraycopy(argv, 0, all, 2, argv.length);
        return Lab.labSh(Duration.ofMinutes(1), all);
    }

    static String databasesLine() {
        return onBouncer("grep", "^appdb", CONF).strip();
    }

    static boolean waits(Future<?> f) throws Exception {
        try {
            f.get(2, TimeUnit.SECONDS);
            return false;
        } catch (TimeoutException e) {
            return true;
        }
    }

    static ApplicationFailure failsWith(String type, Executable action) {
        ApplicationFailure f = assertThrows(ApplicationFailure.class, action);
        assertEquals(type, f.getType(), f.getOriginalMessage());
        assertTrue(f.isNonRetryable(), f.getOriginalMessage());
        return f;
    }

    @Test
    @Order(1)
    void preflightFindsTheEntryPointingAtTheSource() throws Exception {
        Check c = pgbouncer.check(spec, NO_HEARTBEAT);
        assertEquals(Check.Verdict.OK, c.verdict());
        assertTrue(
                c.detail()
                        .endsWith("points at the source " + source.address() + ":5432 (" + CONF
                                + "), pool_mode transaction"),
                c.detail());
        assertEquals(source.address(), serverOfNextQuery().get(10, TimeUnit.SECONDS));
    }

    @Test
    @Order(1)
    void preflightWarnsThatSessionPoolingMakesThePauseWaitForClientsToLeave() {
        setPoolMode("session");
        try {
            Check c = pgbouncer.check(spec, NO_HEARTBEAT);
            assertEquals(Check.Verdict.WARN, c.verdict(), c.detail());
            assertTrue(
                    c.detail().contains("pool_mode session: PAUSE waits until every client of appdb disconnects"),
                    c.detail());
        } finally {
            setPoolMode("transaction");
        }
    }

    /** Edits pool_mode in PgBouncer's file and reloads it with SIGHUP, as an operator might. */
    static void setPoolMode(String mode) {
        onBouncer(
                "sh",
                "-c",
                "sed -i \"s/^pool_mode = .*/pool_mode = $1/\" " + CONF
                        + " && kill -HUP \"$(cat /var/run/postgresql/pgbouncer.pid)\" && sleep 0.5",
                "sh",
                mode);
    }

    @Test
    @Order(2)
    void pauseHoldsTheClientAndPausingAgainChangesNothing() throws Exception {
        assertEquals(
                "appdb paused on " + bouncer.address() + ":6432",
                pgbouncer.pause(spec, NO_HEARTBEAT).detail());
        Future<String> held = serverOfNextQuery();
        assertTrue(waits(held), "the client's query waits while paused");
        assertEquals(
                "appdb was already paused on " + bouncer.address() + ":6432",
                pgbouncer.pause(spec, NO_HEARTBEAT).detail());
        assertTrue(waits(held), "still waiting after the second PAUSE");

        assertEquals(
                "appdb resumed on the source " + source.address() + ":5432",
                pgbouncer.resumeOnSource(spec, NO_HEARTBEAT).detail());
        assertEquals(source.address(), held.get(10, TimeUnit.SECONDS), "the held query ran on the source");
        assertEquals(
                "appdb was already running on the source " + source.address() + ":5432",
                pgbouncer.resumeOnSource(spec, NO_HEARTBEAT).detail());
    }

    @Test
    @Order(3)
    void aTransactionThatOutlastsThePauseTimeoutFailsThePauseAndResumeOnSourceUndoesIt() throws Exception {
        try (Connection open = throughPgBouncer();
                Statement st = open.createStatement()) {
            open.setAutoCommit(false);
            st.execute("SELECT 1"); // holds a server connection until the transaction ends
            long t = System.nanoTime();
            ApplicationFailure f = failsWith(Failures.TRAFFIC_NOT_PAUSED, () -> pgbouncer.pause(spec, NO_HEARTBEAT));
            double seconds = (System.nanoTime() - t) / 1e9;
            assertTrue(
                    seconds >= PgBouncerSwitch.PAUSE_TIMEOUT.toSeconds() && seconds < 60,
                    "gave up after " + seconds + " s");
            assertTrue(
                    f.getOriginalMessage().contains("transactions through it were still running"),
                    f.getOriginalMessage());
            open.rollback();
        }
        assertEquals(
                "appdb resumed on the source " + source.address() + ":5432",
                pgbouncer.resumeOnSource(spec, NO_HEARTBEAT).detail());
        assertEquals(source.address(), serverOfNextQuery().get(10, TimeUnit.SECONDS), "clients get through again");
    }

    @Test
    @Order(3)
    void resumeRefusesWhileTheEntryStillPointsAtTheSource() {
        failsWith(Failures.WRONG_HOST, () -> pgbouncer.resume(spec, NO_HEARTBEAT));
    }

    @Test
    @Order(3)
    void clientsThatAreNotHeldAreNotPointedAtTheStandby() {
        ApplicationFailure f = failsWith(Failures.TRAFFIC_NOT_PAUSED, () -> pgbouncer.repoint(spec, NO_HEARTBEAT));
        assertTrue(f.getOriginalMessage().contains("before it is primary"), f.getOriginalMessage());
        assertEquals("appdb = host=" + source.address() + " port=5432 dbname=postgres", databasesLine());
    }

    /** The workflow repoints before promotion; a rollback after that must bring clients back. */
    @Test
    @Order(3)
    void aRollbackAfterTheRepointPointsTheHeldClientBackAtTheSource() throws Exception {
        pgbouncer.pause(spec, NO_HEARTBEAT);
        Future<String> held = serverOfNextQuery();
        assertTrue(waits(held));
        pgbouncer.repoint(spec, NO_HEARTBEAT);

        assertEquals(
                "appdb pointed at " + source.address() + ":5432 in " + CONF + " and reloaded; appdb resumed on the"
                        + " source " + source.address() + ":5432",
                pgbouncer.resumeOnSource(spec, NO_HEARTBEAT).detail());
        assertEquals(source.address(), held.get(10, TimeUnit.SECONDS), "the held query ran on the source");
        assertEquals("appdb = host=" + source.address() + " port=5432 dbname=postgres", databasesLine());

        // Interrupted between writing the file back and its RELOAD: the retry finishes the move.
        pgbouncer.pause(spec, NO_HEARTBEAT);
        pgbouncer.repoint(spec, NO_HEARTBEAT);
        onBouncer("sed", "-i", "s/^appdb = .*/appdb = host=" + source.address() + " port=5432 dbname=postgres/", CONF);
        assertEquals(
                "appdb pointed at " + source.address() + ":5432 in " + CONF + " and reloaded; appdb resumed on the"
                        + " source " + source.address() + ":5432",
                pgbouncer.resumeOnSource(spec, NO_HEARTBEAT).detail());
        assertEquals(source.address(), serverOfNextQuery().get(10, TimeUnit.SECONDS));
    }

    @Test
    @Order(4)
    void repointAndResumeMoveTheHeldClientToTheTargetOnTheSameConnection() throws Exception {
        Connection before = client;
        pgbouncer.pause(spec, NO_HEARTBEAT);
        Future<String> held = serverOfNextQuery();
        assertTrue(waits(held));

        assertEquals(
                "appdb pointed at " + target.address() + ":5432 in " + CONF + " and reloaded",
                pgbouncer.repoint(spec, NO_HEARTBEAT).detail());
        assertEquals("appdb = host=" + target.address() + " port=5432 dbname=postgres", databasesLine());
        assertEquals(
                "appdb already pointed at " + target.address() + ":5432 in " + CONF + " and reloaded",
                pgbouncer.repoint(spec, NO_HEARTBEAT).detail());
        assertTrue(waits(held), "still held after the repoint: RESUME lets it go");

        assertEquals(
                "appdb resumed on the new primary " + target.address() + ":5432",
                pgbouncer.resume(spec, NO_HEARTBEAT).detail());
        assertEquals(target.address(), held.get(10, TimeUnit.SECONDS), "the held query ran on the target");
        assertEquals(
                "appdb was already running on the new primary " + target.address() + ":5432",
                pgbouncer.resume(spec, NO_HEARTBEAT).detail());
        assertSame(before, client);
        assertFalse(client.isClosed());
        assertEquals(target.address(), serverOfNextQuery().get(10, TimeUnit.SECONDS));
    }

    @Test
    @Order(5)
    void onceRepointedNothingSendsClientsBackToTheSource() {
        failsWith(Failures.WRONG_HOST, () -> pgbouncer.resumeOnSource(spec, NO_HEARTBEAT));
        failsWith(Failures.WRONG_HOST, () -> pgbouncer.pause(spec, NO_HEARTBEAT));
        failsWith(Failures.WRONG_HOST, () -> pgbouncer.check(spec, NO_HEARTBEAT));
    }

    @Test
    @Order(6)
    void aFileThatDisagreesWithTheRunningPgBouncerIsRefused() {
        String line = databasesLine();
        String nowhere = LabHost.nowhere(0);
        onBouncer("sed", "-i", "s/^appdb = .*/appdb = host=" + nowhere + " port=5432 dbname=postgres/", CONF);
        try {
            ApplicationFailure f = failsWith(Failures.WRONG_HOST, () -> pgbouncer.repoint(spec, NO_HEARTBEAT));
            assertTrue(f.getOriginalMessage().contains("says " + nowhere + ":5432"), f.getOriginalMessage());
        } finally {
            onBouncer("sed", "-i", "s/^appdb = .*/" + line + "/", CONF);
        }
    }

    @Test
    @Order(7)
    void aWrongAdminPasswordIsRefusedWithoutRetrying() throws Exception {
        Path wrong = Files.createTempFile("pgbouncer-admin", ".password");
        try {
            Files.writeString(wrong, "not-the-password\n");
            ApplicationFailure f = failsWith(
                    Failures.BAD_CREDENTIALS, () -> pgbouncer.pause(spec("file:" + wrong, "appdb"), NO_HEARTBEAT));
            assertFalse(f.getOriginalMessage().contains("not-the-password"), f.getOriginalMessage());
            assertTrue(f.getOriginalMessage().contains("refused pgbouncer"), f.getOriginalMessage());
        } finally {
            Files.deleteIfExists(wrong);
        }
    }

    @Test
    @Order(8)
    void anUnknownDatabaseIsRefused() {
        ApplicationFailure f = failsWith(
                Failures.WRONG_HOST,
                () -> pgbouncer.pause(spec("file:" + bouncer.get("PG_ADMIN_PASSWORD_FILE"), "nosuchdb"), NO_HEARTBEAT));
        assertTrue(f.getOriginalMessage().contains("has no database 'nosuchdb'"), f.getOriginalMessage());
    }
}
