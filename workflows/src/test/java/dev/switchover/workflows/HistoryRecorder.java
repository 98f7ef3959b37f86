package dev.switchover.workflows;

import dev.switchover.workflows.fleet.FleetApproval;
import dev.switchover.workflows.fleet.FleetResult;
import dev.switchover.workflows.fleet.FleetSpec;
import dev.switchover.workflows.fleet.FleetWorkflow;
import dev.switchover.workflows.fleet.FleetWorkflowImpl;
import dev.switchover.workflows.fleet.WaveApproval;
import dev.switchover.workflows.spec.CutoverMode;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Records the histories that {@link MigrationReplayTest} replays; runs only when asked to. */
class HistoryRecorder {
    private static final Path OUT = Path.of("src/test/resources/histories");

    @Test
    void record() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("switchover.recordHistory"), "set -Dswitchover.recordHistory=true");
        Files.createDirectories(OUT);
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            FakeActivities fake = new FakeActivities();
            // A slow first task on a loaded machine would otherwise be recorded as a failed task.
            Worker worker = env.newWorker(
                    SwitchoverQueues.TASK_QUEUE,
                    io.temporal.worker.WorkerOptions.newBuilder()
                            .setDefaultDeadlockDetectionTimeout(30_000)
                            .build());
            worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class, FleetWorkflowImpl.class);
            worker.registerActivitiesImplementations(fake);
            env.start();
            WorkflowClient client = env.getWorkflowClient();

            if (missing("happy-path-manual.json")) {
                MigrationWorkflow manual = start(client, "happy");
                until(env, () -> manual.status().phase() == Phase.AWAIT_CUTOVER);
                manual.approveCutover(new Approval("alice", "CHG-1"));
                WorkflowStub.fromTyped(manual).getResult(MigrationResult.class);
                save(
                        "happy-path-manual.json",
                        client.fetchHistory("switchover-happy").toJson(true));
            }

            if (missing("aborted-in-catch-up.json")) {
                fake.lag = () -> FakeActivities.LAGGING;
                MigrationWorkflow aborted = start(client, "aborted");
                until(
                        env,
                        () -> aborted.status().phase() == Phase.CATCH_UP
                                && aborted.status().lag() != null);
                aborted.pause("dave");
                aborted.resume("dave");
                aborted.abort(new AbortRequest("carol", "recording"));
                try {
                    WorkflowStub.fromTyped(aborted).getResult(MigrationResult.class);
                } catch (RuntimeException expected) {
                    // the abort ends the workflow with a failure, which is what is recorded
                }
                save(
                        "aborted-in-catch-up.json",
                        client.fetchHistory("switchover-aborted").toJson(true));
                fake.lag = () -> FakeActivities.IN_SYNC;
            }

            if (missing("pgbouncer-automatic.json")) {
                MigrationWorkflow bounced =
                        start(client, "pgbouncer", TestSpecs.withPgBouncer(TestSpecs.spec(CutoverMode.AUTOMATIC)));
                WorkflowStub.fromTyped(bounced).getResult(MigrationResult.class);
                save(
                        "pgbouncer-automatic.json",
                        client.fetchHistory("switchover-pgbouncer").toJson(true));
            }

            if (missing("held-then-promoted.json")) {
                // The source unreachable at the first promotion (held, proof tried again), then the old
                // source's retirement after promotion.
                java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
                fake.on("promote", () -> {
                    if (tries.incrementAndGet() == 1) {
                        throw Failures.fatal(
                                Failures.SOURCE_UNREACHABLE, "the source cannot be reached. Nothing was promoted.");
                    }
                });
                MigrationWorkflow held = start(client, "held", TestSpecs.spec(CutoverMode.AUTOMATIC));
                WorkflowStub.fromTyped(held).getResult(MigrationResult.class);
                save(
                        "held-then-promoted.json",
                        client.fetchHistory("switchover-held").toJson(true));
                fake.on("promote", () -> {});
            }

            if (missing("aborted-during-promotion.json")) {
                // An abort while the first promotion attempt runs: the attempt cancelled and let end, the
                // target asked (it answers it takes writes), the promotion finished, the abort too late.
                java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
                Runnable blocked = FakeActivities.blockUntilCancelled();
                fake.on("promote", () -> {
                    if (tries.incrementAndGet() == 1) {
                        fake.targetIsPrimary = true;
                        blocked.run();
                    }
                });
                MigrationWorkflow late = start(client, "late-abort", TestSpecs.spec(CutoverMode.AUTOMATIC));
                until(env, () -> late.status().phase() == Phase.PROMOTE);
                late.abort(new AbortRequest("carol", "recording"));
                WorkflowStub.fromTyped(late).getResult(MigrationResult.class);
                save(
                        "aborted-during-promotion.json",
                        client.fetchHistory("switchover-late-abort").toJson(true));
                fake.on("promote", () -> {});
                fake.targetIsPrimary = false;
            }

            if (missing("gate-continued-as-new.json") || missing("gate-continuation-approved.json")) {
                // A gate held for most of a day at 5-minute polls: the first run continues as new at the
                // gate, the second carries its steps and is approved to DONE.
                dev.switchover.workflows.spec.MigrationSpec spec = TestSpecs.polling(
                        TestSpecs.spec(CutoverMode.MANUAL), Duration.ofMinutes(5), Duration.ofMinutes(10));
                spec = new dev.switchover.workflows.spec.MigrationSpec(
                        "long-gate",
                        spec.engine(),
                        spec.source(),
                        spec.target(),
                        spec.replication(),
                        spec.benchmark(),
                        spec.catchUp(),
                        spec.cutover(),
                        spec.traffic(),
                        spec.backup(),
                        spec.report());
                MigrationWorkflow gate = MigrationLaunch.start(client, spec);
                String firstRun = WorkflowStub.fromTyped(gate).getExecution().getRunId();
                MigrationWorkflow current = client.newWorkflowStub(MigrationWorkflow.class, spec.workflowId());
                until(env, () -> current.status().phase() == Phase.AWAIT_CUTOVER);
                io.temporal.api.history.v1.HistoryEvent last;
                do {
                    env.sleep(Duration.ofHours(1));
                    last = client.fetchHistory(spec.workflowId(), firstRun).getLastEvent();
                } while (last.getEventType()
                        != io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
                String secondRun =
                        last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId();
                current.approveCutover(new Approval("alice", "CHG-3"));
                WorkflowStub.fromTyped(current).getResult(MigrationResult.class);
                save(
                        "gate-continued-as-new.json",
                        client.fetchHistory(spec.workflowId(), firstRun).toJson(true));
                save(
                        "gate-continuation-approved.json",
                        client.fetchHistory(spec.workflowId(), secondRun).toJson(true));
            }

            if (missing("aborted-and-cancelled.json")) {
                // The CLI's abort at the gate: the update, then the cancellation request; ends CANCELED.
                MigrationWorkflow cancelled = start(client, "cancelled");
                until(env, () -> cancelled.status().phase() == Phase.AWAIT_CUTOVER);
                cancelled.abort(new AbortRequest("carol", "recording"));
                WorkflowStub.fromTyped(cancelled).cancel("aborted by carol: recording");
                try {
                    WorkflowStub.fromTyped(cancelled).getResult(MigrationResult.class);
                } catch (RuntimeException expected) {
                    // cancelled, which is what is recorded
                }
                save(
                        "aborted-and-cancelled.json",
                        client.fetchHistory("switchover-cancelled").toJson(true));
            }

            if (missing("fleet-wave.json") || missing("fleet-member.json")) {
                // Two databases one after the other under one wave approval: the children's phase reports
                // and the approval forwarded to each at its gate.
                FleetSpec spec = new FleetSpec(
                        "replay",
                        1,
                        FleetApproval.WAVE,
                        null,
                        List.of(new FleetSpec.WaveSpec(
                                "all",
                                List.of(
                                        TestSpecs.named(
                                                TestSpecs.spec(CutoverMode.MANUAL),
                                                "member-a",
                                                "198.18.0.21",
                                                "198.18.0.22"),
                                        TestSpecs.named(
                                                TestSpecs.spec(CutoverMode.MANUAL),
                                                "member-b",
                                                "198.18.0.23",
                                                "198.18.0.24")))));
                FleetWorkflow fleet = client.newWorkflowStub(
                        FleetWorkflow.class,
                        WorkflowOptions.newBuilder()
                                .setWorkflowId(spec.workflowId())
                                .setTaskQueue(SwitchoverQueues.TASK_QUEUE)
                                .build());
                WorkflowClient.start(fleet::migrateFleet, spec);
                until(env, () -> fleet.status().migrations().get(0).phase() == Phase.AWAIT_CUTOVER);
                fleet.approveWave(new WaveApproval("all", "alice", "CHG-2"));
                WorkflowStub.fromTyped(fleet).getResult(FleetResult.class);
                save("fleet-wave.json", client.fetchHistory(spec.workflowId()).toJson(true));
                save(
                        "fleet-member.json",
                        client.fetchHistory("switchover-member-b").toJson(true));
            }
        }
    }

    /**
     * Only histories that are not there yet are recorded: the ones recorded by earlier code are
     * what running migrations look like, so replaying them is the point; delete one to record it again.
     */
    private static boolean missing(String file) {
        return !Files.exists(OUT.resolve(file));
    }

    private static void save(String file, String json) throws java.io.IOException {
        Files.writeString(OUT.resolve(file), json);
    }

    private static MigrationWorkflow start(WorkflowClient client, String name) {
        return start(client, name, TestSpecs.spec(CutoverMode.MANUAL));
    }

    private static MigrationWorkflow start(
            WorkflowClient client, String name, dev.switchover.workflows.spec.MigrationSpec spec) {
        spec = new dev.switchover.workflows.spec.MigrationSpec(
                name,
                spec.engine(),
                spec.source(),
                spec.target(),
                spec.replication(),
                spec.benchmark(),
                spec.catchUp(),
                spec.cutover(),
                spec.traffic(),
                spec.backup(),
                spec.report());
        MigrationWorkflow wf = MigrationLaunch.start(client, spec);
        return wf;
    }

    private static void until(TestWorkflowEnvironment env, java.util.function.BooleanSupplier condition) {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) env.sleep(Duration.ofSeconds(2));
    }
}
