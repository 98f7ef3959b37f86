package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.LabSpec;
import dev.switchover.worker.durability.WorkerProcess;
import dev.switchover.worker.webui.Chromium;
import dev.switchover.worker.webui.WorkflowPage;
import dev.switchover.workflows.fleet.FleetWorkflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fleets through the operator's CLI against a real Temporal dev server and a worker process, on lab
 * hosts of their own: three PostgreSQL pairs (fla1s → fla1t to fla3s → fla3t) moved two at a time
 * under one wave approval, and a fleet (flbs → flbt, flcs → flct) whose first migration fails the
 * disk floor, which stops its wave (the third never starts) and the wave after it. The wave's
 * approval is given as an operator would in the Temporal Web UI (a real Chromium), reading each
 * database's phase on the fleet's page; screenshots are kept in target/webui-fleet/.
 */
class FleetMigrationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;
    private static DevServer temporal;
    private static WorkerProcess worker;
    private static int uiPort;
    private static final Path ARTIFACTS = Path.of("target/webui-fleet").toAbsolutePath();
    private final long t0 = System.nanoTime();

    @BeforeAll
    static void startTemporalAndWorker() throws Exception {
        dir = Files.createTempDirectory("switchover-fleet");
        uiPort = DevServer.freePort();
        temporal = DevServer.start(dir.resolve("temporal.db"), DevServer.freePort(), uiPort);
        worker = WorkerProcess.start(temporal.address(), dir.resolve("worker.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) worker.close();
        if (temporal != null) temporal.close();
    }

    @Test
    void threeDatabasesMoveTwoAtATimeUnderOneWaveApproval() throws Exception {
        List<LabPair> labs = List.of(
                LabPair.up(LabHost.FLA1S, LabHost.FLA1T),
                LabPair.up(LabHost.FLA2S, LabHost.FLA2T),
                LabPair.up(LabHost.FLA3S, LabHost.FLA3T));
        List<String> names = List.of("shop-a", "shop-b", "shop-c");
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LabPair lab = labs.get(i);
            lab.reset();
            lab.seedOrders(5_000 * (i + 1));
            Files.writeString(dir.resolve(names.get(i) + ".yaml"), lab.spec(names.get(i), "manual", dir));
            files.add(names.get(i) + ".yaml");
        }
        Path fleet = Files.writeString(dir.resolve("three.yaml"), """
        fleet: three
        concurrency: 2
        approval: wave
        waves:
          - name: all
            migrations: [%s]
        """.formatted(String.join(", ", files)));

        OperatorCli.Output started = cli("fleet", "start", fleet.toString());
        assertEquals(0, started.exit(), started.toString());
        assertEquals("switchover-fleet-three", started.out().strip());

        JsonNode atGate = awaitStatus("three", s -> count(s, "phase", "AWAIT_CUTOVER") == 2);
        OperatorCli.Output listed = cli("list");
        assertEquals(0, listed.exit(), listed.toString());
        assertTrue(
                listed.out()
                        .lines()
                        .anyMatch(l -> l.startsWith("switchover-fleet-three")
                                && l.contains(" fleet ")
                                && l.contains("running")),
                listed.toString());
        assertTrue(
                listed.out().lines().anyMatch(l -> l.startsWith("switchover-shop-a ") && l.contains(" migration ")),
                listed.toString());
        say("two at the gate: " + atGate.get("migrations"));
        assertEquals(1, count(atGate, "state", "PENDING"), "the third waits for a free slot: " + atGate);
        for (LabPair lab : labs.subList(0, 2)) {
            assertFalse(lab.isPrimary(lab.targetAddress()), "the two at the gate are standbys until the approval");
        }

        String ui = "http://127.0.0.1:" + uiPort;
        WorkflowPage.awaitUi(ui);
        JsonNode done;
        try (Chromium browser = Chromium.start(ARTIFACTS)) {
            try {
                WorkflowPage page = new WorkflowPage(browser.driver(), ui, "switchover-fleet-three");
                approveInTheWebUi(browser, page);
                OperatorCli.Output again = cli("fleet", "approve", "three", "--wave", "all", "--by", "bob");
                assertEquals(1, again.exit(), again.toString());
                assertTrue(
                        again.err().contains("wave approval rejected: wave all was already approved by alice"),
                        again.toString());
                done = awaitStatus("three", s -> !s.get("state").asText().equals("RUNNING"));
                page.open().showUserMetadata().awaitCurrentDetails("3 of 3 migrated");
                say("screenshot " + browser.screenshot(ARTIFACTS.resolve("2-fleet-done.png")));
            } catch (Throwable e) {
                browser.saveState(ARTIFACTS, "failure");
                throw e;
            }
        }
        say("ended: " + done);
        assertEquals("DONE", done.get("state").asText(), done.toString());
        for (int i = 0; i < 3; i++) {
            LabPair lab = labs.get(i);
            assertTrue(lab.isPrimary(lab.targetAddress()), names.get(i) + "'s target is the primary");
            assertEquals(
                    lab.orders(lab.sourceAddress()), lab.orders(lab.targetAddress()), names.get(i) + ": every row");
        }
        Map<String, Instant[]> spans = spans(done);
        assertEquals(2, mostAtOnce(spans), "two at a time, never three: " + spans);
        Instant firstEnd = min(spans.get("shop-a")[1], spans.get("shop-b")[1]);
        assertFalse(spans.get("shop-c")[0].isBefore(firstEnd), "shop-c started when a slot freed");

        OperatorCli.Output table = cli("fleet", "status", "switchover-fleet-three");
        assertEquals(0, table.exit(), table.toString());
        assertTrue(
                table.out().contains("DONE, 3 of 3 migrated") && table.out().contains("all: DONE (approved by alice)"),
                table.toString());
        OperatorCli.Output one = cli("status", "shop-c");
        assertTrue(
                one.exit() == 0 && one.out().contains("approved by alice (wave all of fleet three: CHG-9)"),
                one.toString());
    }

    /** The operator reads each database's progress on the fleet's page and approves the wave by signal. */
    private void approveInTheWebUi(Chromium browser, WorkflowPage page) throws Exception {
        page.open().showUserMetadata();
        String details = page.awaitCurrentDetails("shop-b (switchover-shop-b): RUNNING, AWAIT_CUTOVER");
        assertTrue(
                details.contains("0 of 3 migrated")
                        && details.contains("shop-a (switchover-shop-a): RUNNING," + " AWAIT_CUTOVER")
                        && details.contains("shop-c (switchover-shop-c): PENDING"),
                details);
        say("the UI shows:\n" + details);
        say("screenshot " + browser.screenshot(ARTIFACTS.resolve("1-fleet-at-the-gate.png")));
        page.openSignalDialog();
        say("signal name " + page.chooseSignal(FleetWorkflow.Names.APPROVE_WAVE));
        page.enterInput("{\"wave\": \"all\", \"approver\": \"alice\", \"comment\": \"CHG-9\"}");
        String confirmation = page.submitSignal();
        assertTrue(confirmation.contains("signaled"), "the UI's confirmation: " + confirmation);
    }

    @Test
    void aFailureStopsItsWaveAndTheWavesAfterIt() throws Exception {
        LabPair bad = LabPair.up(LabHost.FLBS, LabHost.FLBT);
        LabPair good = LabPair.up(LabHost.FLCS, LabHost.FLCT);
        bad.reset();
        good.reset();
        good.seedOrders(5_000);
        Files.writeString(
                dir.resolve("bad.yaml"),
                bad.spec("slow-disk", "automatic", dir).replace("minIops: 100,", "minIops: 1000000000,"));
        Files.writeString(dir.resolve("good.yaml"), good.spec("fine", "automatic", dir));
        // Never started: nothing answers at these addresses, and nothing may try.
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        Files.writeString(
                dir.resolve("third.yaml"),
                LabSpec.specHead("third", LabHost.nowhere(1), LabHost.nowhere(2), secret) + LabSpec.TEST_PACE
                        + "cutover:\n  mode: automatic\n");
        Files.writeString(
                dir.resolve("later.yaml"),
                LabSpec.specHead("later", LabHost.nowhere(3), LabHost.nowhere(4), secret) + LabSpec.TEST_PACE
                        + "cutover:\n  mode: automatic\n");
        Path fleet = Files.writeString(dir.resolve("stop.yaml"), """
        fleet: stop
        concurrency: 2
        waves:
          - name: first
            migrations: [bad.yaml, good.yaml, third.yaml]
          - name: second
            migrations: [later.yaml]
        """);

        OperatorCli.Output run = cli("fleet", "start", fleet.toString(), "--wait", "--poll", "1s");
        say("fleet start --wait: " + run);
        assertEquals(1, run.exit(), "a fleet with a failure exits 1: " + run);
        assertTrue(run.out().contains("Fleet stop FAILED"), run.toString());

        JsonNode s = json(cli("fleet", "status", "stop", "--json"));
        Map<String, JsonNode> m = new HashMap<>();
        s.get("migrations").forEach(x -> m.put(x.get("migration").asText(), x));
        assertEquals("FAILED", m.get("slow-disk").get("state").asText());
        assertTrue(m.get("slow-disk").get("detail").asText().contains("below the floor"), m.toString());
        assertEquals("DONE", m.get("fine").get("state").asText(), "the one already running finishes: " + m);
        assertEquals(good.orders(good.sourceAddress()), good.orders(good.targetAddress()));
        assertEquals("SKIPPED", m.get("third").get("state").asText());
        assertTrue(m.get("third").get("detail").asText().contains("slow-disk failed in wave first"), m.toString());
        assertEquals("SKIPPED", m.get("later").get("state").asText());
        assertEquals("STOPPED", s.get("waves").get(0).get("state").asText());
        assertEquals("SKIPPED", s.get("waves").get(1).get("state").asText());
        OperatorCli.Output never = cli("status", "third");
        assertEquals(2, never.exit(), "no workflow was ever started for the skipped migration: " + never);
        assertFalse(
                bad.isPrimary(bad.targetAddress()) && !bad.isPrimary(bad.sourceAddress()),
                "the failed one moved nothing");
    }

    private OperatorCli.Output cli(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--address";
        all[args.length + 1] = temporal.address();
        return OperatorCli.run(dir, all);
    }

    private static JsonNode json(OperatorCli.Output o) throws Exception {
        assertEquals(0, o.exit(), o.toString());
        return JSON.readTree(o.out());
    }

    private JsonNode awaitStatus(String fleet, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + 8L * 60 * 1_000_000_000;
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            OperatorCli.Output o = cli("fleet", "status", fleet, "--json");
            if (o.exit() == 0) {
                last = JSON.readTree(o.out());
                if (until.test(last)) return last;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("fleet " + fleet + " never got there; last status " + last);
    }

    private static long count(JsonNode s, String field, String value) {
        long n = 0;
        for (JsonNode m : s.get("migrations")) {
            if (m.path(field).asText().equals(value)) n++;
        }
        return n;
    }

    private static Map<String, Instant[]> spans(JsonNode s) {
        Map<String, Instant[]> spans = new HashMap<>();
        for (JsonNode m : s.get("migrations")) {
            spans.put(m.get("migration").asText(), new Instant[] {
                Instant.parse(m.get("startedAt").asText()),
                Instant.parse(m.get("endedAt").asText())
            });
        }
        return spans;
    }

    private static int mostAtOnce(Map<String, Instant[]> spans) {
        int most = 0;
        for (Instant[] a : spans.values()) {
            int n = 0;
            for (Instant[] b : spans.values()) {
                if (!b[0].isAfter(a[0]) && b[1].isAfter(a[0])) n++;
            }
            most = Math.max(most, n);
        }
        return most;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private void say(String line) {
        System.out.printf("fleet %6.1fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
    }
}
