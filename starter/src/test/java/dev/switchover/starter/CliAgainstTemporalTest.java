package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.FakeActivities;
import dev.switchover.workflows.MigrationWorkflowImpl;
import dev.switchover.workflows.SwitchoverQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against the SDK's Temporal test server on a real port, with the real workflow and
 * instant fake activities, in real time (no time skipping: the CLI polls on the wall clock).
 */
class CliAgainstTemporalTest {
    private static TestServer.PortBoundTestServer server;
    private static WorkflowServiceStubs stubs;
    private static WorkerFactory workers;
    private static String address;
    private static final FakeActivities activities = new FakeActivities();

    @TempDir
    Path dir;

    @BeforeAll
    static void startTemporalAndWorker() {
        int port = Cli.closedPort();
        server = TestServer.createPortBoundServer(port, true);
        address = "127.0.0.1:" + port;
        stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        workers = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
        Worker worker = workers.newWorker(SwitchoverQueues.TASK_QUEUE);
        worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
        worker.registerActivitiesImplementations(activities);
        workers.start();
    }

    @AfterAll
    static void stopTemporal() {
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
        stubs.shutdownNow();
        server.close();
    }

    @AfterEach
    void restoreLocalAddress() {
        TemporalConnection.localAddress = TemporalConnection.LOCAL_ADDRESS;
    }

    @Test
    void schedulesNeedARealTemporalServer() {
        // The in-process test server, like the embedded Temporal, has no Schedules.
        Cli.Run list = cli("schedule", "list");
        assertEquals(ExitCodes.FAILED, list.exit(), list.toString());
        assertTrue(
                list.err().contains("has no schedules") && list.err().contains("schedules need a Temporal server"),
                list.toString());
        Cli.Run create =
                cli("schedule", "create", Cli.spec(dir, "later", "automatic").toString(), "--cron", "0 2 * * SAT");
        assertEquals(ExitCodes.FAILED, create.exit(), create.toString());
        assertTrue(create.err().contains("schedules need a Temporal server"), create.toString());
        assertEquals("", create.out(), "no schedule id: nothing was scheduled");
    }

    private static Cli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--address";
        all[args.length + 1] = address;
        return Cli.run(all);
    }

    private static CompletableFuture<Cli.Run> inBackground(Cli.Capture capture, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--address";
        all[args.length + 1] = address;
        return CompletableFuture.supplyAsync(() -> capture.run(all));
    }

    private static void eventually(String what, Supplier<Boolean> condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            if (condition.get()) return;
            Thread.sleep(200);
        }
        fail("not within 30s: " + what);
    }

    private static void awaitPhase(String id, String phase) throws InterruptedException {
        eventually(
                id + " in " + phase, () -> cli("status", id, "--json").out().contains("\"phase\" : \"" + phase + "\""));
    }

    /**
     * Aborts from a pause, where no activity runs: the SDK's test server rejects a workflow task that
     * cancels an activity which completed meanwhile (ACTIVITY_UNKNOWN), and the abort's answer is
     * then lost. A real server accepts it; with instant fake activities the race is frequent here.
     */
    private static Cli.Run pauseThenAbort(String id, String reason) {
        Cli.Run paused = cli("pause", id, "--by", "test");
        assertEquals(ExitCodes.OK, paused.exit(), paused.toString());
        return cli("abort", id, "--reason", reason, "--by", "carol");
    }

    @Test
    void manualCutoverFromStartToDoneThroughTheCli() throws Exception {
        Path spec = Cli.spec(dir, "orders", "manual");
        Cli.Capture follow = new Cli.Capture();
        CompletableFuture<Cli.Run> started =
                inBackground(follow, "start", spec.toString(), "--wait", "--poll", "200ms");

        awaitPhase("switchover-orders", "AWAIT_CUTOVER");
        assertEquals(
                "switchover-orders",
                follow.out.toString().lines().findFirst().orElse(""),
                "the workflow id alone on stdout's first line");

        Cli.Run status = cli("status", "switchover-orders");
        assertEquals(ExitCodes.OK, status.exit(), status.toString());
        assertTrue(status.out().contains("AWAIT_CUTOVER — waiting for cutover approval"), status.toString());
        assertTrue(status.out().contains("PREFLIGHT"), status.toString());

        Cli.Run approved = cli("approve", "switchover-orders", "--by", "alice", "--comment", "CHG-4711");
        assertEquals(ExitCodes.OK, approved.exit(), approved.toString());
        assertTrue(approved.out().contains("approved by alice"), approved.toString());

        Cli.Run done = started.get(30, TimeUnit.SECONDS);
        assertEquals(ExitCodes.OK, done.exit(), done.toString());
        assertTrue(
                done.out().contains("DONE  migration complete: the new primary is " + LabHost.DST.address()),
                done.toString());
        assertTrue(done.out().contains("AWAIT_CUTOVER"), "progress lines while waiting\n" + done);

        Cli.Run abortAfterDone = cli("abort", "switchover-orders", "--reason", "too late");
        assertEquals(ExitCodes.FAILED, abortAfterDone.exit(), abortAfterDone.toString());
        assertTrue(abortAfterDone.err().contains("abort rejected"), abortAfterDone.toString());

        Cli.Run finalStatus = cli("status", "orders");
        assertEquals(ExitCodes.OK, finalStatus.exit(), finalStatus.toString());
        assertTrue(finalStatus.out().contains("completed at"), finalStatus.toString());
        assertTrue(finalStatus.out().contains("by alice"), finalStatus.toString());

        Cli.Run startAgain = cli("start", spec.toString());
        assertEquals(ExitCodes.NOT_STARTED, startAgain.exit(), "nothing was started\n" + startAgain);
        assertEquals("switchover-orders\n", startAgain.out());
        assertTrue(startAgain.err().contains("already completed"), "a done migration is not run twice\n" + startAgain);
        assertTrue(startAgain.err().contains("its source is no longer the primary"), startAgain.toString());
    }

    /**
     * A gate polled every 100 ms continues as new within a minute or so; the CLI, which addresses the
     * migration by its name, follows it into the new run: status shows the steps the first run did,
     * approve reaches the current run, and start --wait ends with the migration's result.
     */
    @Test
    void aGateThatContinuedAsNewIsFollowedShownAndApprovedByName() throws Exception {
        Path spec = Cli.write(
                dir.resolve("long-gate.yaml"),
                java.nio.file.Files.readString(Cli.spec(dir, "long-gate", "manual"))
                        .replace("pollEvery: 1s", "pollEvery: 100ms"));
        Cli.Capture follow = new Cli.Capture();
        CompletableFuture<Cli.Run> started =
                inBackground(follow, "start", spec.toString(), "--wait", "--poll", "500ms");
        WorkflowClient client = WorkflowClient.newInstance(stubs);
        long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!continued(client, "switchover-long-gate")) {
            if (System.nanoTime() > until) fail("the gate did not continue as new within 3 minutes");
            Thread.sleep(500);
        }

        Cli.Run status = cli("status", "long-gate");
        assertEquals(ExitCodes.OK, status.exit(), status.toString());
        assertTrue(status.out().contains("AWAIT_CUTOVER — waiting for cutover approval"), status.toString());
        assertTrue(status.out().contains("BASE_COPY"), "the first run's steps, carried\n" + status);
        Cli.Run approved = cli("approve", "long-gate", "--by", "alice");
        assertEquals(ExitCodes.OK, approved.exit(), approved.toString());

        Cli.Run done = started.get(60, TimeUnit.SECONDS);
        assertEquals(ExitCodes.OK, done.exit(), done.toString());
        assertTrue(
                done.out().contains("DONE  migration complete: the new primary is " + LabHost.DST.address()),
                done.toString());
    }

    /** Whether the current run of {@code id} was started by a continue-as-new (false until it exists). */
    private static boolean continued(WorkflowClient client, String id) {
        try {
            return !client.fetchHistory(id)
                    .getEvents()
                    .get(0)
                    .getWorkflowExecutionStartedEventAttributes()
                    .getContinuedExecutionRunId()
                    .isEmpty();
        } catch (io.grpc.StatusRuntimeException notYet) {
            return false;
        }
    }

    /** A failed run is fixed and started again under the same name: the spec's name is not used up. */
    @Test
    void aFailedMigrationStartsAgainUnderItsNameOnceFixed() throws Exception {
        Path spec = Cli.spec(dir, "retry-me", "automatic");
        activities.failPreflightOnce.add("retry-me");
        Cli.Run failed = cli("start", spec.toString(), "--wait", "--poll", "200ms");
        assertEquals(ExitCodes.FAILED, failed.exit(), failed.toString());
        assertTrue(failed.out().contains("holds a database already"), failed.toString());
        Cli.Run status = cli("status", "retry-me");
        assertEquals(ExitCodes.FAILED, status.exit(), "status of a failed migration\n" + status);
        assertTrue(status.out().contains("FAILED"), status.toString());

        Cli.Run again = cli("start", spec.toString(), "--wait", "--poll", "200ms");
        assertEquals(ExitCodes.OK, again.exit(), again.toString());
        assertTrue(again.err().contains("Started migration retry-me"), again.toString());
        assertFalse(again.err().contains("already"), again.toString());
        assertTrue(again.out().contains("DONE  migration complete"), again.toString());
    }

    @Test
    void approvalWhilePausedIsRefusedWithTheWorkflowsReason() throws Exception {
        Path spec = Cli.spec(dir, "paused", "manual");
        Cli.Run start = cli("start", spec.toString());
        assertEquals(ExitCodes.OK, start.exit(), start.toString());
        assertEquals("switchover-paused\n", start.out());
        awaitPhase("switchover-paused", "AWAIT_CUTOVER");

        Cli.Run paused = cli("pause", "switchover-paused", "--by", "bob");
        assertEquals(ExitCodes.OK, paused.exit(), paused.toString());

        Cli.Run refused = cli("approve", "switchover-paused", "--by", "alice");
        assertEquals(ExitCodes.FAILED, refused.exit(), refused.toString());
        assertTrue(
                refused.err().contains("approval rejected: the migration is paused by bob; resume it first"),
                refused.toString());

        Cli.Run pausedTwice = cli("pause", "switchover-paused");
        assertEquals(ExitCodes.FAILED, pausedTwice.exit(), pausedTwice.toString());

        Cli.Run resumed = cli("resume", "switchover-paused", "--by", "bob");
        assertEquals(ExitCodes.OK, resumed.exit(), resumed.toString());
        assertTrue(resumed.out().contains("resumed"), resumed.toString());
        assertEquals(ExitCodes.FAILED, cli("resume", "switchover-paused").exit(), "not paused any more");
        Cli.Run aborted = pauseThenAbort("switchover-paused", "test over");
        assertEquals(ExitCodes.OK, aborted.exit(), aborted.toString());
    }

    @Test
    void startingARunningMigrationAgainSaysSoAndExitsZero() throws Exception {
        Path spec = Cli.spec(dir, "twice", "manual");
        assertEquals(ExitCodes.OK, cli("start", spec.toString()).exit());
        Cli.Run again = cli("start", spec.toString());
        assertEquals(ExitCodes.OK, again.exit(), again.toString());
        assertEquals("switchover-twice\n", again.out());
        assertTrue(again.err().contains("already running"), again.toString());
        awaitPhase("switchover-twice", "AWAIT_CUTOVER");
        Cli.Run aborted = pauseThenAbort("twice", "test over");
        assertEquals(ExitCodes.OK, aborted.exit(), aborted.toString());
    }

    @Test
    void waitingOnAnAbortedMigrationExitsOneWithTheReason() throws Exception {
        Path spec = Cli.spec(dir, "abortme", "manual");
        Cli.Capture follow = new Cli.Capture();
        CompletableFuture<Cli.Run> started =
                inBackground(follow, "start", spec.toString(), "--wait", "--poll", "200ms");
        awaitPhase("switchover-abortme", "AWAIT_CUTOVER");

        Cli.Run aborted = pauseThenAbort("switchover-abortme", "ticket withdrawn");
        assertEquals(ExitCodes.OK, aborted.exit(), aborted.toString());

        Cli.Run end = started.get(30, TimeUnit.SECONDS);
        assertEquals(ExitCodes.FAILED, end.exit(), end.toString());
        assertTrue(end.out().contains("ABORTED  migration aborted"), end.toString());
        assertTrue(end.out().contains("ticket withdrawn"), end.toString());

        Cli.Run json = cli("status", "switchover-abortme", "--json");
        assertEquals(ExitCodes.FAILED, json.exit(), "status says the migration did not complete\n" + json);
        assertTrue(json.out().contains("\"phase\" : \"ABORTED\""), json.toString());
        // The CLI's abort also requests a cancellation, so Temporal (and its Web UI) record CANCELED, not FAILED.
        assertTrue(json.out().contains("\"workflowStatus\" : \"aborted\""), json.toString());
        assertEquals(
                io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
                WorkflowClient.newInstance(stubs)
                        .newUntypedWorkflowStub("switchover-abortme")
                        .describe()
                        .getStatus());
    }

    @Test
    void statusOfEndedMigrationWithNoWorkerShowsWhatTemporalRecorded() throws Exception {
        int port = Cli.closedPort();
        String own = "127.0.0.1:" + port;
        try (TestServer.PortBoundTestServer ownServer = TestServer.createPortBoundServer(port, true)) {
            WorkflowServiceStubs ownStubs = WorkflowServiceStubs.newServiceStubs(
                    WorkflowServiceStubsOptions.newBuilder().setTarget(own).build());
            WorkerFactory ownWorkers = WorkerFactory.newInstance(WorkflowClient.newInstance(ownStubs));
            Worker worker = ownWorkers.newWorker(SwitchoverQueues.TASK_QUEUE);
            worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
            worker.registerActivitiesImplementations(new FakeActivities());
            ownWorkers.start();
            Cli.Run done = Cli.run(
                    "start",
                    Cli.spec(dir, "gone", "automatic").toString(),
                    "--wait",
                    "--poll",
                    "200ms",
                    "--address",
                    own);
            assertEquals(ExitCodes.OK, done.exit(), done.toString());
            ownWorkers.shutdownNow();
            ownWorkers.awaitTermination(5, TimeUnit.SECONDS);

            Cli.Run status = Cli.run("status", "gone", "--address", own);
            assertEquals(ExitCodes.OK, status.exit(), status.toString());
            assertTrue(status.out().contains("completed at"), status.toString());
            assertTrue(status.out().contains("DONE — migration complete"), status.toString());
            ownStubs.shutdownNow();
        }
    }

    /**
     * A running migration whose worker is gone right after the freeze: status cannot query it, but
     * says from the server's history what the servers are in (the source frozen since when), what
     * waits, and how to go on.
     */
    @Test
    void statusOfARunningMigrationWithNoWorkerSaysFromTheHistoryThatTheSourceIsFrozen() throws Exception {
        int port = Cli.closedPort();
        String own = "127.0.0.1:" + port;
        try (TestServer.PortBoundTestServer ownServer = TestServer.createPortBoundServer(port, true)) {
            WorkflowServiceStubs ownStubs = WorkflowServiceStubs.newServiceStubs(
                    WorkflowServiceStubsOptions.newBuilder().setTarget(own).build());
            WorkerFactory ownWorkers = WorkerFactory.newInstance(WorkflowClient.newInstance(ownStubs));
            Worker worker = ownWorkers.newWorker(SwitchoverQueues.TASK_QUEUE);
            worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
            java.util.concurrent.CountDownLatch verifying = new java.util.concurrent.CountDownLatch(1);
            worker.registerActivitiesImplementations(new FakeActivities() {
                @Override
                public dev.switchover.workflows.activities.SyncProof verifySync(
                        dev.switchover.workflows.spec.MigrationSpec spec,
                        dev.switchover.workflows.activities.FrozenSource frozen) {
                    verifying.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("the worker went away");
                }
            });
            ownWorkers.start();
            Cli.Run started =
                    Cli.run("start", Cli.spec(dir, "orphan", "automatic").toString(), "--address", own);
            assertEquals(ExitCodes.OK, started.exit(), started.toString());
            assertTrue(verifying.await(60, TimeUnit.SECONDS), "the migration reached verify-sync");
            ownWorkers.shutdownNow();
            ownWorkers.awaitTermination(5, TimeUnit.SECONDS);

            Cli.Run status = Cli.run("status", "orphan", "--address", own);
            assertEquals(ExitCodes.FAILED, status.exit(), status.toString());
            assertTrue(status.out().contains("Last step   FreezeWrites completed at"), status.toString());
            assertTrue(
                    status.out().contains("is frozen since") && status.out().contains("and refuses writes"),
                    status.toString());
            assertTrue(status.out().contains("Waiting     VerifySync"), status.toString());
            assertTrue(
                    status.err().contains("no worker answered the status query")
                            && status.err().contains("./switchover worker"),
                    status.toString());
            ownStubs.shutdownNow();
        }
    }

    @Test
    void statusOfUnknownMigrationExitsTwo() {
        Cli.Run run = cli("status", "switchover-nosuch");
        assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
        assertTrue(run.err().contains("no migration 'switchover-nosuch'"), run.toString());
        assertEquals(ExitCodes.BAD_INPUT, cli("approve", "nosuch").exit());
    }

    @Test
    void listOnAServerWithoutVisibilitySaysWhatItNeeds() {
        Cli.Run run = cli("list");
        assertEquals(ExitCodes.FAILED, run.exit(), run.toString());
        assertTrue(run.err().contains("visibility"), run.toString());
    }

    @Test
    void startWithoutAnyServerRunsEmbeddedTemporalAndWaits() throws Exception {
        assumeTrue(System.getenv("TEMPORAL_ADDRESS") == null, "TEMPORAL_ADDRESS is set in this environment");
        TemporalConnection.localAddress = "127.0.0.1:" + Cli.closedPort();
        Path spec = Cli.spec(dir, "embedded", "automatic");
        Cli.Run run = Cli.run("start", spec.toString(), "--poll", "200ms");
        try {
            assertEquals(ExitCodes.OK, run.exit(), run.toString());
            assertTrue(run.err().contains("runs an embedded Temporal"), run.toString());
            assertTrue(run.out().startsWith("switchover-embedded\n"), run.toString());
            assertTrue(run.out().contains("DONE  migration complete"), "start waited for the end\n" + run);
            assertFalse(run.err().contains("WARNING"), run.toString());
        } finally {
            if (InProcessLocalTemporal.started != null) InProcessLocalTemporal.started.close();
        }
    }
}
