package dev.switchover.workflows;

import io.temporal.internal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Histories recorded from real runs must replay on today's code: a change that would make a
 * running migration non-deterministic fails here first. Record new ones with
 * {@code mvn -pl workflows test -Dtest=HistoryRecorder -Dswitchover.recordHistory=true}, which
 * writes only the files that are missing; re-record one only when a change is deliberately
 * incompatible (and then version the workflow).
 */
class MigrationReplayTest {

    @Test
    void happyPathHistoryReplays() throws Exception {
        replay("histories/happy-path-manual.json", MigrationWorkflowImpl.class);
    }

    @Test
    void promotionHeldForAnUnreachableSourceAndTheOldSourceRetiredReplays() throws Exception {
        replay("histories/held-then-promoted.json", MigrationWorkflowImpl.class);
    }
    /** An abort during promotion: the attempt let end, the target asked, the abort too late. */
    @Test
    void abortDuringPromotionReplays() throws Exception {
        replay("histories/aborted-during-promotion.json", MigrationWorkflowImpl.class);
    }

    /** A gate held long: the first run continuing as new, and the run it started carrying its steps to DONE. */
    @Test
    void aGateThatContinuedAsNewReplays() throws Exception {
        replay("histories/gate-continued-as-new.json", MigrationWorkflowImpl.class);
        replay("histories/gate-continuation-approved.json", MigrationWorkflowImpl.class);
    }

    /** The CLI's abort: update, cancellation request, rollback, CANCELED. */
    @Test
    void anAbortThatEndedCancelledReplays() throws Exception {
        replay("histories/aborted-and-cancelled.json", MigrationWorkflowImpl.class);
    }

    @Test
    void abortedHistoryReplays() throws Exception {
        replay("histories/aborted-in-catch-up.json", MigrationWorkflowImpl.class);
    }

    @Test
    void pgbouncerHistoryReplays() throws Exception {
        // PgBouncer's pause, its repoint beside the freeze and the sync check, and the resume.
        replay("histories/pgbouncer-automatic.json", MigrationWorkflowImpl.class);
    }

    @Test
    void fleetHistoriesReplay() throws Exception {
        // The fleet starting children, their phase reports, the wave approval forwarded to each; and
        // a child's side of it (reports to its parent, the approval by signal).
        replay("histories/fleet-wave.json", dev.switchover.workflows.fleet.FleetWorkflowImpl.class);
        replay("histories/fleet-member.json", MigrationWorkflowImpl.class);
    }

    /**
     * Replays on a worker that allows a slow workflow task: on a loaded machine the first task's
     * class loading can pass the SDK's one-second deadlock detector, which is not what is tested.
     */
    private static void replay(String history, Class<?> workflow) throws Exception {
        try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
            Worker worker = env.newWorker(
                    SwitchoverQueues.TASK_QUEUE,
                    WorkerOptions.newBuilder()
                            .setDefaultDeadlockDetectionTimeout(30_000)
                            .build());
            worker.registerWorkflowImplementationTypes(workflow);
            WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(resource(history)), worker);
        }
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = MigrationReplayTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException(name + " is missing from src/test/resources");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
