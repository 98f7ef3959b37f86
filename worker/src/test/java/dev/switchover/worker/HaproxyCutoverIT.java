package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabFlavor;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.LabSpec;
import dev.switchover.testkit.SetChecker;
import dev.switchover.testkit.SetWriter;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.StepRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue #6's MySQL traffic switch by the command hook: HAProxy (lab host hap) in front of a MySQL
 * 9.7 source (haps), and {@code examples/hooks/haproxy-switch.sh} as the migration's traffic hook,
 * which repoints HAProxy's server at the promoted target (hapt) through the runtime API and cuts
 * the sessions left on the old source. The writer only ever knows HAProxy's address: at the
 * freeze its session is killed, it reconnects through HAProxy (to the read-only source until the
 * hook has run, then to the new primary), and no acknowledged write may be lost.
 */
class HaproxyCutoverIT {
    private static final String PROXY = LabHost.HAP.hostName();
    private static final String PROXY_ADDRESS = LabHost.HAP.address();
    private static final int API_PORT = 9999;
    private static final String API = PROXY_ADDRESS + ":" + API_PORT;
    private static final String SRC = LabHost.HAPS.hostName();
    private static final String SRC_ADDRESS = LabHost.HAPS.address();
    private static final String DST = LabHost.HAPT.hostName();
    private static final String DST_ADDRESS = LabHost.HAPT.address();
    private static final long ROWS = 20_000;
    private static final Path HOOK =
            Path.of("../examples/hooks/haproxy-switch.sh").toAbsolutePath().normalize();

    private final long t0 = System.nanoTime();

    @Test
    void clientsOfHaproxyMoveToTheNewPrimaryAndNoAcknowledgedWriteIsLost() throws Exception {
        LabPair lab = LabPair.up(LabHost.HAPS, LabHost.HAPT);
        lab.reset();
        startHaproxy(lab);
        lab.seedOrders(ROWS);
        lab.createWrites("writes");
        lab.createApp();
        admitHaproxy(lab);
        Path dir = Files.createTempDirectory("switchover-haproxy");
        say("lab ready: HAProxy on " + PROXY_ADDRESS + " in front of " + SRC_ADDRESS + "; work directory " + dir);

        List<String> landedOn = new CopyOnWriteArrayList<>();
        SetWriter writer = new SetWriter(
                () -> PROXY_ADDRESS,
                address -> {
                    Connection c = lab.app(address);
                    landedOn.add(hostname(c));
                    return c;
                },
                lab.table("writes"),
                5000);
        OperatorCli.Run run = OperatorCli.migrateUnder(writer, spec(dir), dir, this::say);
        MigrationResult done = run.result();
        long afterCutover = run.acknowledgedAfter();

        Map<SetWriter.Outcome, Long> counts = new EnumMap<>(SetWriter.Outcome.class);
        writer.outcomes().values().forEach(o -> counts.merge(o, 1L, Long::sum));
        Map<String, Long> logins = new TreeMap<>();
        landedOn.forEach(h -> logins.merge(h, 1L, Long::sum));
        say("writer: " + counts + "; logins through HAProxy by the server reached " + logins + ", the last to "
                + landedOn.get(landedOn.size() - 1) + "; " + afterCutover
                + " acknowledged in the 2 s after the cutover;"
                + " longest pause " + String.format(Locale.ROOT, "%.2f s", writer.longestGapSeconds()));
        assertCutoverByTheHook(done);
        assertTrue(afterCutover > 0, "the writer goes on writing through HAProxy after the cutover");
        assertEquals(
                DST, landedOn.get(landedOn.size() - 1), "the writer's last login through HAProxy reached the target");
        assertEquals(SRC, landedOn.get(0), "the writer's first login through HAProxy reached the source");

        Set<Long> present = new HashSet<>();
        try (Connection c = lab.connect(DST_ADDRESS);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM " + lab.table("writes"))) {
            while (rs.next()) present.add(rs.getLong(1));
        }
        SetChecker.Verdict v = SetChecker.check(writer.outcomes(), present);
        assertTrue(v.acknowledged() > 100, "the writer wrote: " + v.acknowledged());
        assertEquals(Set.of(), v.lost(), "acknowledged writes missing on the new primary");
        assertEquals(Set.of(), v.unexpected(), "writes on the new primary that were never attempted");
        assertEquals(Set.of(), v.failedButPresent(), "writes refused yet present");
        assertEquals(lab.orders(SRC_ADDRESS), lab.orders(DST_ADDRESS), "every row of orders on the target");

        assertEquals(DST_ADDRESS + ":3306", serverAddress(), "HAProxy's runtime API: mysql/primary is the target");
        assertTrue(lab.isPrimary(DST_ADDRESS), "the target is a primary");
        assertTrue(
                lab.dialect().refusesWrites(SRC_ADDRESS, lab.table("writes")),
                "the old source refuses the application's writes");
    }

    /**
     * Without a database: HAProxy in front of the proxy host's own sshd (which speaks first), the
     * hook moves the server to its PostgreSQL port; the session open through HAProxy is cut, and a
     * second run (a crashed worker's retry) succeeds and leaves the server where it is.
     */
    @Test
    void hookMovesTheServerCutsItsSessionsAndMayRunTwice() throws Exception {
        Lab.run("up", PROXY + ":" + PROXY_ADDRESS);
        Lab.run("haproxy", PROXY, "start", PROXY_ADDRESS + ":22");
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(PROXY_ADDRESS, 3306), 5000);
            client.setSoTimeout(5000);
            InputStream in = client.getInputStream();
            assertEquals("SSH-", new String(in.readNBytes(4), StandardCharsets.US_ASCII), "sshd through HAProxy");

            Hook first = hook(API, "mysql/primary", PROXY_ADDRESS, 5432);
            assertEquals(0, first.exit(), first.output());
            assertEquals(
                    "haproxy-switch: mysql/primary at " + PROXY_ADDRESS + ":5432 (was " + PROXY_ADDRESS
                            + ":22); its sessions shut down",
                    first.output().strip());
            // Returns at end of stream only: were the session not cut, this would time out after 5 s.
            in.readAllBytes();
        }
        Hook again = hook(API, "mysql/primary", PROXY_ADDRESS, 5432);
        assertEquals(0, again.exit(), again.output());
        assertEquals(
                "haproxy-switch: mysql/primary at " + PROXY_ADDRESS + ":5432 (was " + PROXY_ADDRESS
                        + ":5432); its sessions shut down",
                again.output().strip());
        assertEquals(PROXY_ADDRESS + ":5432", serverAddress());
    }

    /** The hook's refusals: a wrong name or API address fails with a message saying so, and HAProxy is left as it was. */
    @Test
    void hookFailsClearlyAndChangesNothingWhenHaproxyHasNoSuchServer() throws Exception {
        Lab.run("up", PROXY + ":" + PROXY_ADDRESS);
        Lab.run("haproxy", PROXY, "start", SRC_ADDRESS + ":3306");

        Hook wrongBackend = hook(API, "nosuch/primary", DST_ADDRESS, 3306);
        assertEquals(1, wrongBackend.exit(), wrongBackend.output());
        assertEquals(
                "haproxy-switch: HAProxy at " + API + " has no backend 'nosuch'",
                wrongBackend.output().strip());
        Hook wrongServer = hook(API, "mysql/replica", DST_ADDRESS, 3306);
        assertEquals(1, wrongServer.exit(), wrongServer.output());
        assertEquals(
                "haproxy-switch: HAProxy at " + API + " has no server 'replica' in backend 'mysql'",
                wrongServer.output().strip());
        String noApi = PROXY_ADDRESS + ":" + (API_PORT - 1);
        Hook unreachable = hook(noApi, "mysql/primary", DST_ADDRESS, 3306);
        assertEquals(1, unreachable.exit(), unreachable.output());
        assertEquals(
                "haproxy-switch: cannot reach HAProxy's runtime API at " + noApi,
                unreachable.output().strip());
        assertEquals(SRC_ADDRESS + ":3306", serverAddress(), "mysql/primary untouched");
    }

    /** The migration's traffic step ran the hook once it had promoted the target, and the hook said what it did. */
    private void assertCutoverByTheHook(MigrationResult done) {
        assertEquals(
                Phase.DONE, done.status().phase(), "failure: " + done.status().failure());
        assertEquals(DST_ADDRESS, done.newPrimary());
        Map<Phase, String> details = new EnumMap<>(Phase.class);
        for (StepRecord s : done.status().steps()) details.put(s.phase(), s.detail());
        say("freeze: " + details.get(Phase.FREEZE_WRITES));
        say("traffic: " + details.get(Phase.SWITCH_TRAFFIC));
        assertTrue(
                details.get(Phase.SWITCH_TRAFFIC)
                        .contains("haproxy-switch: mysql/primary at " + DST_ADDRESS + ":3306 (was " + SRC_ADDRESS
                                + ":3306); its sessions shut down"),
                details.get(Phase.SWITCH_TRAFFIC));
    }

    private static void startHaproxy(LabPair lab) {
        Lab.run("up", PROXY + ":" + PROXY_ADDRESS);
        Lab.run("haproxy", PROXY, "start", SRC_ADDRESS + ":3306");
    }

    /**
     * The application's account as seen through HAProxy, which the servers see as the client: the
     * base copy brings it to the target, as it would a real application's.
     */
    private static void admitHaproxy(LabPair lab) throws SQLException {
        String account = "'app'@'" + PROXY_ADDRESS + "'";
        try (Connection c = lab.connect(SRC_ADDRESS);
                Statement st = c.createStatement()) {
            st.execute("CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" + LabPair.APP_PASSWORD + "'");
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO " + account);
        }
    }

    private static String hostname(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT @@hostname")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private String spec(Path dir) throws IOException {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        return LabSpec.specHead("haproxy-orders", LabFlavor.MYSQL, SRC_ADDRESS, DST_ADDRESS, secret)
                + LabSpec.TEST_PACE
                + """
        cutover:
          mode: automatic
        traffic:
          type: command
          command:
            host: local
            command: %s %s mysql/primary
            timeout: 30s
        backup:
          enabled: false
        report:
          directory: %s
        """.formatted(HOOK, API, dir.resolve("reports"));
    }

    private record Hook(int exit, String output) {}

    /** The hook as the worker runs it, with the migration's ends in its environment. */
    private static Hook hook(String api, String server, String targetAddress, int targetPort) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", HOOK + " " + api + " " + server).redirectErrorStream(true);
        pb.environment().put("SWITCHOVER_TARGET_ADDRESS", targetAddress);
        pb.environment().put("SWITCHOVER_TARGET_PORT", Integer.toString(targetPort));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the hook ended");
        return new Hook(p.exitValue(), out);
    }

    /** mysql/primary's ADDRESS:PORT from HAProxy's runtime API, columns found by the header's names. */
    private static String serverAddress() throws IOException {
        String answer;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(PROXY_ADDRESS, API_PORT), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("show servers state mysql\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<String> header = null;
        for (String line : answer.split("\n")) {
            List<String> fields = List.of(line.strip().split("\\s+"));
            if (line.startsWith("# ")) {
                header = fields.subList(1, fields.size());
            } else if (header != null
                    && fields.size() == header.size()
                    && fields.get(header.indexOf("srv_name")).equals("primary")) {
                return fields.get(header.indexOf("srv_addr")) + ":" + fields.get(header.indexOf("srv_port"));
            }
        }
        throw new AssertionError("no mysql/primary in HAProxy's answer:\n" + answer);
    }

    private void say(String line) {
        System.out.printf("haproxy %6.1fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
    }
}
