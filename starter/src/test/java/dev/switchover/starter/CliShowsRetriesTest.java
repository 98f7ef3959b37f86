package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.FakeActivities;
import dev.switchover.workflows.MigrationWorkflowImpl;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.spec.MigrationSpec;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step failing with a retryable error, as PrepareSource did with a bug: Temporal retries it with
 * backoff and the workflow hears nothing until the policy gives up, so only describe can tell the
 * operator. Runs against the SDK's test server on a real port, which fills a pending activity's
 * attempt, last failure (with causes) and times, though not the next attempt's time.
 */
class CliShowsRetriesTest {
    static final String OUTER = "PostgreSQL postgres@" + LabHost.SRC.address() + ":5432 (source): cannot prepare";
    static final String INNER = "Unable to determine encryption type";

    /** Fails until the test has seen the retries, then lets the migration go on. */
    static final class FailingPrepareSource extends FakeActivities {
        final AtomicBoolean failing = new AtomicBoolean(true);

        @Override
        public SourcePreparation prepareSource(MigrationSpec spec) {
            if (failing.get()) throw new RuntimeException(OUTER, new IllegalStateException(INNER));
            return super.prepareSource(spec);
        }
    }

    private static TestServer.PortBoundTestServer server;
    private static WorkflowServiceStubs stubs;
    private static WorkerFactory workers;
    private static String address;
    private static final FailingPrepareSource activities = new FailingPrepareSource();

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

    private static Cli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--address";
        all[args.length + 1] = address;
        return Cli.run(all);
    }

    private static void eventually(String what, Supplier<Boolean> condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            if (condition.get()) return;
            Thread.sleep(100);
        }
        fail("not within 30s: " + what);
    }

    private static long count(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }

    @Test
    void retryingStepShowsAttemptAndLastErrorInStatusAndWaitUntilItSucceeds() throws Exception {
        Path spec = Cli.spec(dir, "flaky", "automatic");
        Cli.Capture follow = new Cli.Capture();
        CompletableFuture<Cli.Run> started = CompletableFuture.supplyAsync(
                () -> follow.run("start", spec.toString(), "--wait", "--poll", "200ms", "--address", address));

        // Backoff is 1s, 2s, 4s: attempt 3 is reported from about 1s after the first failure.
        eventually("status shows attempt 3", () -> cli("status", "flaky").out().contains("PrepareSource  attempt 3"));
        Cli.Run status = cli("status", "flaky");
        assertEquals(ExitCodes.OK, status.exit(), status.toString());
        assertTrue(status.out().contains("PREPARE_SOURCE"), status.toString());
        assertTrue(status.out().contains("Running now  PrepareSource  attempt "), status.toString());
        assertTrue(status.out().contains("last error: " + OUTER + ": " + INNER), status.toString());

        Cli.Run json = cli("status", "flaky", "--json");
        assertEquals(ExitCodes.OK, json.exit(), json.toString());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals("PREPARE_SOURCE", root.get("phase").asText(), json.toString());
        JsonNode pending = root.get("pendingActivities").get(0);
        assertEquals("PrepareSource", pending.get("activityType").asText(), json.toString());
        assertTrue(pending.get("attempt").asInt() >= 3, json.toString());
        assertEquals(OUTER, pending.get("lastFailure").get("message").asText(), json.toString());
        assertEquals(INNER, pending.get("lastFailure").get("innermostMessage").asText(), json.toString());
        assertEquals(
                "java.lang.IllegalStateException",
                pending.get("lastFailure").get("innermostType").asText(),
                json.toString());

        eventually("start --wait says attempt 3", () -> follow.out.toString().contains("PrepareSource  attempt 3"));
        activities.failing.set(false);

        Cli.Run done = started.get(60, TimeUnit.SECONDS);
        assertEquals(ExitCodes.OK, done.exit(), done.toString());
        assertEquals(1, count(done.out(), "PrepareSource  attempt 2  "), "each attempt said once\n" + done);
        assertEquals(1, count(done.out(), "PrepareSource  attempt 3  "), "each attempt said once\n" + done);
        assertEquals(0, count(done.out(), "PrepareSource  attempt 1"), "a first attempt is no news\n" + done);
        // The test server has no next attempt time to count down to; the follower sees the backoff.
        assertTrue(
                done.out()
                        .lines()
                        .anyMatch(l -> l.matches(".*PrepareSource  attempt [23]  waiting to retry  gives up at .*")),
                done.toString());
        assertTrue(done.out().contains("last error: " + OUTER + ": " + INNER), done.toString());
        assertTrue(
                done.out().contains("PREPARE_SOURCE  ok"), "the step went on once the fake stopped failing\n" + done);
        assertTrue(done.out().contains("DONE  migration complete"), done.toString());

        Cli.Run after = cli("status", "flaky", "--json");
        assertEquals(
                0,
                new ObjectMapper()
                        .readTree(after.out())
                        .get("pendingActivities")
                        .size(),
                after.toString());
        assertFalse(cli("status", "flaky").out().contains("Running now"));
    }
}
