package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.LabPgBouncer;
import dev.switchover.testkit.SetChecker;
import dev.switchover.testkit.SetWriter;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.StepRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The promise for PgBouncer: a migration started with {@code switchover start} moves the
 * application's traffic without it ever reconnecting, and loses no acknowledged write. PgBouncer
 * runs on lab host pgbw in front of pgbws; a writer keeps one connection through it for the
 * whole run while the worker, as its own process against a real Temporal dev server, pauses
 * PgBouncer, freezes pgbws, promotes pgbwt, repoints and resumes.
 */
class PgBouncerCutoverIT {
    private static final String BOUNCER = LabHost.PGBW.hostName();
    private static final String BOUNCER_ADDRESS = LabHost.PGBW.address();
    private static final String SRC_ADDRESS = LabHost.PGBWS.address();
    private static final String DST_ADDRESS = LabHost.PGBWT.address();
    private static final long ROWS = 20_000;

    private final long t0 = System.nanoTime();

    @Test
    void clientsKeepTheirConnectionThroughTheCutoverAndNoAcknowledgedWriteIsLost() throws Exception {
        LabPair lab = LabPair.up(LabHost.PGBWS, LabHost.PGBWT);
        LabPgBouncer bouncer = LabPgBouncer.up(lab, BOUNCER, BOUNCER_ADDRESS);
        lab.reset();
        bouncer.start();
        lab.seedOrders(ROWS);
        lab.createWrites("writes");
        Path dir = Files.createTempDirectory("switchover-pgbouncer");
        say("lab ready: PgBouncer on " + BOUNCER_ADDRESS + " in front of " + SRC_ADDRESS + "; work directory " + dir);

        List<Connection> logins = new CopyOnWriteArrayList<>();
        SetWriter writer = new SetWriter(
                () -> BOUNCER_ADDRESS,
                address -> {
                    Connection c = bouncer.connect("switchover-pgbouncer-it");
                    logins.add(c);
                    return c;
                },
                "writes",
                5000);
        MigrationResult done;
        try {
            OperatorCli.Run run = OperatorCli.migrateUnder(
                    writer, lab.spec("orders", "automatic", dir, bouncer.trafficSpec()), dir, this::say);
            done = run.result();
            assertTrue(run.acknowledgedAfter() > 0, "the writer goes on writing after the cutover");
        } finally {
            bouncer.stop();
        }

        say("writer: " + writer.acknowledged() + " acknowledged on " + logins.size() + " connection(s); longest pause "
                + String.format(java.util.Locale.ROOT, "%.2f s", writer.longestGapSeconds()));
        assertEquals(1, logins.size(), "the writer connected to PgBouncer once and never had to reconnect");
        Set<SetWriter.Outcome> outcomes = new HashSet<>(writer.outcomes().values());
        assertEquals(Set.of(SetWriter.Outcome.ACKNOWLEDGED), outcomes, "no write failed or was left unknown");
        Set<Long> present = new HashSet<>();
        try (Connection c = lab.connect(DST_ADDRESS);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM writes")) {
            while (rs.next()) present.add(rs.getLong(1));
        }
        SetChecker.Verdict v = SetChecker.check(writer.outcomes(), present);
        assertTrue(v.acknowledged() > 0, "the writer wrote");
        assertEquals(Set.of(), v.lost(), "acknowledged writes missing on the new primary");
        assertEquals(Set.of(), v.unexpected(), "writes on the new primary that were never attempted");
        assertEquals(Set.of(), v.failedButPresent(), "writes refused yet present");
        assertEquals(lab.orders(SRC_ADDRESS), lab.orders(DST_ADDRESS), "every row of orders on the target");
        assertEquals(
                "appdb = host=" + DST_ADDRESS + " port=5432 dbname=postgres",
                lab.run("exec", BOUNCER, "grep", "^appdb", "/etc/pgbouncer/pgbouncer.ini")
                        .strip());
        assertCutoverThroughPgBouncer(done);
    }

    /** PgBouncer's steps in the history's order, around the freeze and the promotion. */
    private void assertCutoverThroughPgBouncer(MigrationResult done) {
        assertEquals(
                Phase.DONE, done.status().phase(), "failure: " + done.status().failure());
        assertEquals(DST_ADDRESS, done.newPrimary());
        Map<Phase, String> details = new java.util.EnumMap<>(Phase.class);
        for (StepRecord s : done.status().steps()) details.put(s.phase(), s.detail());
        say("freeze: " + details.get(Phase.FREEZE_WRITES));
        say("traffic: " + details.get(Phase.SWITCH_TRAFFIC));
        assertTrue(details.get(Phase.FREEZE_WRITES).startsWith("clients held by PgBouncer"), details.toString());
        assertEquals(
                "pgbouncer: appdb pointed at " + DST_ADDRESS + ":5432 in /etc/pgbouncer/pgbouncer.ini and reloaded;"
                        + " appdb resumed on the new primary " + DST_ADDRESS + ":5432",
                details.get(Phase.SWITCH_TRAFFIC));
    }

    private void say(String line) {
        System.out.printf("pgbouncer %6.1fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
    }
}
