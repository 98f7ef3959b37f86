package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A migration that waits for days (a gate held over a weekend, a long pause) must not grow its
 * history without bound: Temporal ends a workflow at 51,200 events. It continues as new instead,
 * and each run must know all the first one knew: its steps, its undo steps, its pause.
 */
class LongWaitWorkflowTest {
    /** Polled every 5 minutes (time skipping gets through a week in seconds); in sync held for 10. */
    private static final Duration POLL = Duration.ofMinutes(5);

    private TestWorkflowEnvironment env;
    private FakeActivities fake;
    private WorkflowClient client;
    private WorkflowExecution first;

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        fake = new FakeActivities();
        Worker worker = env.newWorker(SwitchoverQueues.TASK_QUEUE);
        worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
        worker.registerActivitiesImplementations(fake);
        client = env.getWorkflowClient();
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private MigrationSpec spec(CutoverMode mode) {
        return TestSpecs.polling(TestSpecs.spec(mode), POLL, Duration.ofMinutes(10));
    }

    private void start(MigrationSpec spec) {
        first = WorkflowStub.fromTyped(MigrationLaunch.start(client, spec)).getExecution();
    }

    /** The migration by its id, as the CLI and the Web UI address it: whichever run is current. */
    private MigrationWorkflow current() {
        return client.newWorkflowStub(MigrationWorkflow.class, first.getWorkflowId());
    }

    private MigrationStatus awaitPhase(Phase phase) {
        for (int i = 0; i < 200; i++) {
            MigrationStatus s = current().status();
            if (s.phase() == phase) return s;
            env.sleep(POLL);
        }
        throw new AssertionError(
                "never reached " + phase + "; last status " + current().status());
    }

    /** Every run of the migration so far, first to current, by following each run's continuation. */
    private List<WorkflowExecutionHistory> runs() {
        List<WorkflowExecutionHistory> runs = new ArrayList<>();
        String run = first.getRunId();
        while (run != null) {
            WorkflowExecutionHistory h = client.fetchHistory(first.getWorkflowId(), run);
            runs.add(h);
            HistoryEvent last = h.getLastEvent();
            run = last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
                    ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
                    : null;
        }
        return runs;
    }

    private static List<Phase> phases(MigrationStatus s) {
        return s.steps().stream().map(StepRecord::phase).toList();
    }

    @Test
    void aGateHeldForAWeekKeepsEveryRunsHistoryShortAndStillCutsOverOnce() {
        start(spec(CutoverMode.MANUAL));
        awaitPhase(Phase.AWAIT_CUTOVER);
        env.sleep(Duration.ofDays(7));

        List<WorkflowExecutionHistory> runs = runs();
        assertTrue(
                runs.size() >= 3,
                "a week of polls every 5 minutes continued as new only " + (runs.size() - 1) + " times");
        for (WorkflowExecutionHistory run : runs) {
            // A run ends soon after the bound: the poll that crossed it, then the continuation.
            assertTrue(
                    run.getEvents().size() <= MigrationWorkflowImpl.CONTINUE_AS_NEW_AT + 40,
                    "a run wrote " + run.getEvents().size() + " events");
        }

        MigrationStatus waiting = current().status();
        assertEquals(Phase.AWAIT_CUTOVER, waiting.phase());
        assertTrue(waiting.waitingFor().startsWith("approval"), waiting.waitingFor());
        // The steps done in the first run are still known, and the gate is one step, not one per run.
        assertEquals(
                List.of(
                        Phase.PREFLIGHT,
                        Phase.BENCHMARK,
                        Phase.PREPARE_SOURCE,
                        Phase.BASE_COPY,
                        Phase.CATCH_UP,
                        Phase.AWAIT_CUTOVER),
                phases(waiting));
        assertEquals(StepRecord.Outcome.RUNNING, waiting.steps().get(5).outcome());
        assertTrue(
                waiting.steps().get(3).detail().startsWith("pg_basebackup 100.0 MiB"),
                waiting.steps().get(3).detail());

        String answer = current().approveCutover(new Approval("alice", "CHG-4711"));
        assertTrue(answer.contains("alice"), answer);
        MigrationResult r = WorkflowStub.fromTyped(current()).getResult(MigrationResult.class);
        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(Runbook.HAPPY_PATH_STEPS, phases(r.status()));
        assertTrue(
                r.status().steps().get(5).detail().contains("approved by alice"),
                r.status().steps().get(5).detail());
        for (String once :
                List.of("preflight", "benchmarkTarget", "prepareSource", "baseCopy", "freezeWrites", "promote")) {
            assertEquals(1, fake.count(once), once);
        }
    }

    @Test
    void anAbortInALaterRunUndoesWhatTheFirstRunChanged() {
        start(spec(CutoverMode.MANUAL));
        awaitPhase(Phase.AWAIT_CUTOVER);
        env.sleep(Duration.ofDays(2));
        assertTrue(runs().size() >= 2, "no continuation in two days");

        current().abort(new AbortRequest("bob", "change freeze"));
        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class,
                () -> WorkflowStub.fromTyped(current()).getResult(MigrationResult.class));
        ApplicationFailure f = assertInstanceOf(ApplicationFailure.class, e.getCause());
        assertEquals(Failures.ABORTED, f.getType());
        // The undo steps registered by the first run, run by the last, in their order.
        assertEquals(
                List.of("quietTarget", "undoPrepareSource"),
                fake.steps().stream()
                        .filter(s -> s.equals("quietTarget") || s.equals("undoPrepareSource"))
                        .toList());
        assertEquals(0, fake.count("freezeWrites"));
    }

    @Test
    void aPauseCarriedIntoLaterRunsStillMovesTheCatchUpDeadlineByAllOfIt() {
        fake.lag = () -> FakeActivities.LAGGING;
        start(spec(CutoverMode.MANUAL));
        MigrationStatus catching = awaitPhase(Phase.CATCH_UP);
        java.time.Instant deadline = catching.catchUpDeadline();
        current().pause("carol");
        env.sleep(Duration.ofDays(2));
        int runsWhilePaused = runs().size();
        assertTrue(runsWhilePaused >= 2, "no continuation while paused for two days");
        current().resume("carol");
        MigrationStatus resumed = current().status();

        // The whole pause moved the deadline, not only its part in the current run.
        Duration moved = Duration.between(deadline, resumed.catchUpDeadline());
        assertTrue(
                moved.compareTo(Duration.ofDays(2)) >= 0
                        && moved.compareTo(Duration.ofDays(2).plus(POLL.multipliedBy(2))) <= 0,
                "the deadline moved by " + moved);
        fake.lag = () -> FakeActivities.IN_SYNC;
        assertEquals(Phase.AWAIT_CUTOVER, awaitPhase(Phase.AWAIT_CUTOVER).phase());
    }

    @Test
    void aPromotionHeldOverAWeekendTriesLessOftenAndGoesOnOnceTheSourceAnswers() {
        java.util.concurrent.atomic.AtomicBoolean sourceDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        fake.on("promote", () -> {
            if (sourceDown.get()) {
                throw Failures.fatal(
                        Failures.SOURCE_UNREACHABLE, "the source 198.18.0.11 cannot be reached. Nothing was promoted.");
            }
        });
        start(spec(CutoverMode.AUTOMATIC));
        awaitPhase(Phase.PROMOTE);
        env.sleep(Duration.ofHours(60));

        MigrationStatus held = current().status();
        assertEquals(Phase.PROMOTE, held.phase());
        assertTrue(held.waitingFor().contains("tried again at"), held.waitingFor());
        // Every 30 s for 60 hours would be 7,200 attempts (about 70,000 events, past Temporal's limit):
        // 60 in the first half hour, 165 until the sixth hour, then 6 an hour.
        int attempts = fake.count("promote");
        assertTrue(attempts >= 500 && attempts <= 600, attempts + " promotion attempts in 60 hours held");
        int events = runs().stream().mapToInt(r -> r.getEvents().size()).sum();
        assertTrue(events < 10_000, events + " events in 60 hours held");

        sourceDown.set(false);
        env.sleep(Duration.ofMinutes(11));
        MigrationResult r = WorkflowStub.fromTyped(current()).getResult(MigrationResult.class);
        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(0, fake.count("unfreezeWrites"));
    }
}
