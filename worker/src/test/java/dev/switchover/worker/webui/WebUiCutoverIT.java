package dev.switchover.worker.webui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.worker.durability.WorkerProcess;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord.Outcome;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionSignaledEventAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator's cutover through the real Temporal Web UI: a real dev server with its UI, the
 * worker as its own process, a real migration between lab hosts wuis and wuit with manual
 * cutover. Headless chromium opens the migration's page, finds the phase in the workflow's
 * current details, and sends the approveCutover signal with its JSON through the UI's dialog;
 * the migration then promotes the target and completes.
 *
 * <p>The screenshots it takes are kept in target/webui/ (the README's come from there).
 */
class WebUiCutoverIT {
    private static final String SRC = LabHost.WUIS.hostName();
    private static final String SRC_ADDRESS = LabHost.WUIS.address();
    private static final String DST = LabHost.WUIT.hostName();
    private static final String DST_ADDRESS = LabHost.WUIT.address();
    private static final long ROWS = 20_000;
    private static final String APPROVAL = "{\"approver\": \"alice\", \"comment\": \"CHG-4711\"}";
    private static final Path ARTIFACTS = Path.of("target/webui").toAbsolutePath();
    /** The operator's launcher: the same jar the worker runs from. */
    private static final Path LAUNCHER = Path.of("target/switchover.jar").toAbsolutePath();

    private final long t0 = System.nanoTime();

    @Test
    void operatorApprovesTheCutoverInTheWebUiAndTheTargetIsPromoted() throws Exception {
        LabPair lab = LabPair.up(LabHost.WUIS, LabHost.WUIT);
        lab.reset();
        lab.seedOrders(ROWS);
        Path dir = Files.createTempDirectory("switchover-webui");
        cleanArtifacts();
        say("lab ready, " + ROWS + " rows on " + SRC + "; work directory " + dir);

        int uiPort = DevServer.freePort();
        try (DevServer temporal = DevServer.start(dir.resolve("temporal.db"), DevServer.freePort(), uiPort);
                WorkerProcess worker = WorkerProcess.start(temporal.address(), dir.resolve("worker.log"))) {
            WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.address())
                    .build());
            try {
                WorkflowClient client = WorkflowClient.newInstance(service);
                MigrationWorkflow wf = startMigration(client, temporal.address(), lab, dir);
                String id = WorkflowStub.fromTyped(wf).getExecution().getWorkflowId();
                // In sync at the gate, with the 20 s of samples the catch-up's trend needs: the UI shows its
                // details as they were when the page loaded.
                LabPair.awaitStatus(
                        wf,
                        "awaiting cutover, target in sync, its trend known",
                        s -> s.phase() == Phase.AWAIT_CUTOVER && s.inSyncFor() != null && s.catchUp() != null,
                        Duration.ofMinutes(4),
                        this::say);

                String ui = "http://127.0.0.1:" + uiPort;
                WorkflowPage.awaitUi(ui);
                try (Chromium browser = Chromium.start(ARTIFACTS)) {
                    try {
                        approveInTheUi(browser, new WorkflowPage(browser.driver(), ui, id));
                        MigrationResult done = awaitDone(wf);
                        assertPromoted(lab, done);
                        assertSignalInHistory(client, id);
                        WorkflowPage page = new WorkflowPage(browser.driver(), ui, id)
                                .open()
                                .showUserMetadata();
                        page.awaitCurrentDetails("Phase: DONE");
                        assertEquals("COMPLETED", page.status(), "the UI's status badge");
                        say("screenshot " + browser.screenshot(ARTIFACTS.resolve("3-migration-done.png")));
                    } catch (Throwable e) {
                        browser.saveState(ARTIFACTS, "failure");
                        throw e;
                    }
                }
            } catch (Throwable e) {
                say("worker log tail:\n" + tail(dir.resolve("worker.log")));
                throw e;
            } finally {
                service.shutdownNow();
            }
        }
    }

    /** What the operator does: open the migration, read the phase, send the signal with its JSON. */
    private void approveInTheUi(Chromium browser, WorkflowPage page) throws Exception {
        page.open().showUserMetadata();
        assertEquals("RUNNING", page.status(), "the UI's status badge");
        String details = page.awaitCurrentDetails("Phase: AWAIT_CUTOVER");
        assertTrue(
                details.contains("signal approveCutover in the Web UI"), "the details say how to approve:\n" + details);
        say("the UI shows: " + details.lines().findFirst().orElse(""));
        // How the lag moves, as status shows it: the operator plans the cutover with it (shown once the
        // gate has 20 s of samples; in sync here, so the lag is "within" the threshold).
        String progress = page.awaitCurrentDetails("Catch-up: ");
        String line = progress.lines()
                .filter(l -> l.startsWith("Catch-up: "))
                .findFirst()
                .orElse("");
        assertTrue(
                line.matches("Catch-up: lag (steady|shrinking by .+|growing by .+), within \\d.*"),
                "the catch-up line in the UI's details:\n" + progress);
        say("the UI shows: " + line);
        say("screenshot " + browser.screenshot(ARTIFACTS.resolve("1-awaiting-cutover.png")));

        page.openSignalDialog();
        say("signal name " + page.chooseSignal(MigrationWorkflow.Names.APPROVE));
        page.enterInput(APPROVAL);
        say("screenshot " + browser.screenshot(ARTIFACTS.resolve("2-approve-signal.png")));
        String confirmation = page.submitSignal();
        say("submitted; the UI says: " + confirmation);
        assertTrue(confirmation.contains("signaled"), "the UI's confirmation: " + confirmation);
    }

    /**
     * As the operator starts it: {@code switchover start SPEC}, which also gives the run the summary
     * and details the UI shows beside the current details.
     */
    private MigrationWorkflow startMigration(WorkflowClient client, String address, LabPair lab, Path dir)
            throws Exception {
        Path specFile = dir.resolve("orders.yaml");
        Files.writeString(specFile, lab.spec("orders", "manual", dir));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(
                        java, "-jar", LAUNCHER.toString(), "start", "--address", address, specFile.toString())
                .redirectError(dir.resolve("start.err").toFile())
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "switchover start did not finish");
        assertEquals(0, p.exitValue(), "switchover start: " + out + Files.readString(dir.resolve("start.err")));
        String id = out.lines().findFirst().orElse("").strip();
        assertEquals(SpecLoader.load(specFile).workflowId(), id, "the workflow id on start's first line");
        say("started " + id + " with switchover start (manual cutover)");
        return client.newWorkflowStub(MigrationWorkflow.class, id);
    }

    private MigrationResult awaitDone(MigrationWorkflow wf) throws Exception {
        MigrationResult r = WorkflowStub.fromTyped(wf).getResult(3, TimeUnit.MINUTES, MigrationResult.class);
        MigrationStatus s = r.status();
        say("migration ended: " + s.phase() + "; notes " + s.notes());
        assertEquals(Phase.DONE, s.phase(), "failure: " + s.failure());
        assertEquals("alice", s.approval().approver(), "the approval the workflow acted on");
        assertEquals("CHG-4711", s.approval().comment());
        assertTrue(
                s.steps().stream().anyMatch(step -> step.phase() == Phase.PROMOTE && step.outcome() == Outcome.OK),
                "PROMOTE done: " + s.steps());
        return r;
    }

    private void assertPromoted(LabPair lab, MigrationResult done) throws Exception {
        assertEquals(DST_ADDRESS, done.newPrimary());
        assertTrue(lab.isPrimary(DST_ADDRESS), DST + " is a primary");
        LabPair.Fingerprint source = lab.orders(SRC_ADDRESS);
        LabPair.Fingerprint target = lab.orders(DST_ADDRESS);
        assertEquals(ROWS, target.rows(), "rows on the target");
        assertEquals(source, target, "every row on the target equals the source's");
    }

    /** The history holds the operator's signal, as the UI sent it. */
    private void assertSignalInHistory(WorkflowClient client, String id) {
        List<WorkflowExecutionSignaledEventAttributes> signals = client.fetchHistory(id).getEvents().stream()
                .filter(HistoryEvent::hasWorkflowExecutionSignaledEventAttributes)
                .map(HistoryEvent::getWorkflowExecutionSignaledEventAttributes)
                .filter(a -> a.getSignalName().equals(MigrationWorkflow.Names.APPROVE))
                .toList();
        assertEquals(1, signals.size(), "one approveCutover signal in the history");
        String payload = signals.get(0).getInput().getPayloads(0).getData().toStringUtf8();
        String identity = signals.get(0).getIdentity();
        say("history: approveCutover " + payload
                + (identity.isEmpty() ? " (the UI sends no identity)" : " from " + identity));
        assertEquals(APPROVAL.replaceAll("\\s", ""), payload.replaceAll("\\s", ""), "the signal's payload");
    }

    // ---- plumbing ----

    private static void cleanArtifacts() throws Exception {
        Files.createDirectories(ARTIFACTS);
        try (Stream<Path> old = Files.list(ARTIFACTS)) {
            for (Path p : old.toList()) Files.deleteIfExists(p);
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    private void say(String line) {
        System.out.printf("webui %6.1fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
    }
}
