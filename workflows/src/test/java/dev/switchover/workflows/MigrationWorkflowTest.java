package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.HookSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MigrationWorkflowTest {
    private TestWorkflowEnvironment env;
    private FakeActivities fake;
    private WorkflowClient client;

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

    private MigrationWorkflow start(MigrationSpec spec) {
        MigrationWorkflow wf = MigrationLaunch.start(client, spec);
        // By its id, as the CLI addresses it: a long wait continues as new, and the current run answers.
        return client.newWorkflowStub(MigrationWorkflow.class, spec.workflowId());
    }

    /** Lets workflow time pass (skipped) until the status satisfies the condition. */
    private MigrationStatus awaitStatus(MigrationWorkflow wf, Predicate<MigrationStatus> condition) {
        for (int i = 0; i < 600; i++) {
            MigrationStatus s = wf.status();
            if (condition.test(s)) return s;
            env.sleep(Duration.ofSeconds(2));
        }
        throw new AssertionError("condition never held; last status " + wf.status());
    }

    private MigrationStatus awaitPhase(MigrationWorkflow wf, Phase phase) {
        return awaitStatus(wf, s -> s.phase() == phase);
    }

    private static MigrationResult result(MigrationWorkflow wf) {
        return WorkflowStub.fromTyped(wf).getResult(MigrationResult.class);
    }

    private static ApplicationFailure failureOf(MigrationWorkflow wf) {
        WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> result(wf));
        return assertInstanceOf(ApplicationFailure.class, e.getCause());
    }

    @Test
    void happyPathRunsTheRunbookStepsInOrder() {
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        MigrationResult r = result(wf);

        assertEquals(
                List.of(
                        "preflight",
                        "benchmarkTarget",
                        "prepareSource",
                        "baseCopy",
                        "freezeWrites",
                        "verifySync",
                        "promote",
                        "backupNewPrimary",
                        "retireOldSource",
                        "runChecklist",
                        "writeReport"),
                fake.steps());
        assertEquals("198.18.0.12", r.newPrimary());
        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(
                Runbook.HAPPY_PATH_STEPS,
                r.status().steps().stream().map(StepRecord::phase).toList());
        assertTrue(
                r.status().steps().stream().allMatch(s -> s.outcome() == StepRecord.Outcome.OK && s.ended() != null));
        assertEquals(0, fake.count("undoPrepareSource"));
    }

    @Test
    void manualModeDoesNotPromoteWithoutApproval() {
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        env.sleep(Duration.ofHours(3));

        MigrationStatus waiting = wf.status();
        assertEquals(Phase.AWAIT_CUTOVER, waiting.phase());
        assertTrue(waiting.waitingFor().startsWith("approval"), waiting.waitingFor());
        assertFalse(fake.calls.contains("freezeWrites"));
        assertFalse(fake.calls.contains("promote"));

        String answer = wf.approveCutover(new Approval("alice", "CHG-4711"));
        assertTrue(answer.contains("alice"), answer);
        assertEquals(Phase.DONE, result(wf).status().phase());
        assertEquals(1, fake.count("promote"));
        assertTrue(result(wf).status().steps().stream()
                .anyMatch(
                        s -> s.phase() == Phase.AWAIT_CUTOVER && s.detail().contains("approved by alice (CHG-4711)")));
    }

    // ---- cutover.window: the cutover only when the business allows it ----

    /** Three hours of workflow time from now, to the minute: the window's opening. */
    private Instant threeHoursAhead() {
        return Instant.ofEpochMilli(env.currentTimeMillis())
                .plus(Duration.ofHours(3))
                .truncatedTo(ChronoUnit.MINUTES);
    }

    private static StepRecord gate(MigrationResult r) {
        return r.status().steps().stream()
                .filter(s -> s.phase() == Phase.AWAIT_CUTOVER)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void automaticCutoverWaitsForTheWindowToOpen() {
        Instant opens = threeHoursAhead();
        MigrationWorkflow wf = start(TestSpecs.withWindow(TestSpecs.spec(CutoverMode.AUTOMATIC), opens, null));
        MigrationStatus waiting = awaitPhase(wf, Phase.AWAIT_CUTOVER);
        waiting = awaitStatus(wf, s -> s.waitingFor() != null && s.waitingFor().startsWith("automatic cutover when"));
        assertTrue(waiting.waitingFor().contains("opens at " + opens), waiting.waitingFor());
        env.sleep(Duration.ofHours(2));
        assertEquals(Phase.AWAIT_CUTOVER, wf.status().phase());
        assertFalse(fake.calls.contains("freezeWrites"), "no cutover before the window opens");

        MigrationResult r = result(wf);
        assertEquals(Phase.DONE, r.status().phase());
        assertFalse(
                gate(r).ended().isBefore(opens), "the gate opened at " + gate(r).ended() + ", the window at " + opens);
        assertTrue(gate(r).ended().isBefore(opens.plus(Duration.ofMinutes(1))), "as it opened: " + gate(r).ended());
        assertTrue(gate(r).detail().contains("inside the cutover window"), gate(r).detail());
    }

    @Test
    void approvalOutsideTheWindowIsDeferredToItsOpeningAndHoldsUntilThen() {
        Instant opens = threeHoursAhead();
        MigrationWorkflow wf = start(TestSpecs.withWindow(TestSpecs.spec(CutoverMode.MANUAL), opens, null));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        String answer = wf.approveCutover(new Approval("alice", "CHG-9"));
        assertTrue(answer.contains("alice"), answer);
        MigrationStatus deferred =
                awaitStatus(wf, s -> s.waitingFor() != null && s.waitingFor().contains("deferred"));
        assertTrue(deferred.waitingFor().contains("opens at " + opens), deferred.waitingFor());
        // Longer than approvalValidFor (30m): a deferred approval counts from the opening.
        env.sleep(Duration.ofHours(2));
        assertEquals(Phase.AWAIT_CUTOVER, wf.status().phase());
        assertFalse(fake.calls.contains("freezeWrites"));

        MigrationResult r = result(wf);
        assertEquals(Phase.DONE, r.status().phase());
        assertFalse(gate(r).ended().isBefore(opens), gate(r).ended() + " vs " + opens);
        assertTrue(gate(r).detail().contains("approved by alice (CHG-9)"), gate(r).detail());
    }

    @Test
    void approvalOutsideTheWindowIsRefusedWhenTheSpecSaysSo() {
        Instant opens = threeHoursAhead();
        MigrationWorkflow wf = start(TestSpecs.withWindow(TestSpecs.spec(CutoverMode.MANUAL), opens, "refuse"));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        WorkflowUpdateException outside =
                assertThrows(WorkflowUpdateException.class, () -> wf.approveCutover(new Approval("alice", null)));
        assertTrue(
                rootMessage(outside).contains("outside the cutover window")
                        && rootMessage(outside).contains("approve when it opens, at " + opens),
                rootMessage(outside));
        assertNull(wf.status().approval());

        env.sleep(Duration.between(Instant.ofEpochMilli(env.currentTimeMillis()), opens)
                .plusMinutes(1));
        wf.approveCutover(new Approval("alice", "inside"));
        assertEquals(Phase.DONE, result(wf).status().phase());
    }

    @Test
    void approvalIsRejectedWhileTheTargetIsLagging() {
        fake.lag = () -> FakeActivities.LAGGING;
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.CATCH_UP);

        WorkflowUpdateException early =
                assertThrows(WorkflowUpdateException.class, () -> wf.approveCutover(new Approval("alice", null)));
        assertTrue(rootMessage(early).contains("not ready for cutover yet: phase is CATCH_UP"), rootMessage(early));

        fake.lag = () -> FakeActivities.IN_SYNC;
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        fake.lag = () -> FakeActivities.LAGGING;
        awaitStatus(wf, s -> s.lag().lagBytes() > 0);

        WorkflowUpdateException lagging =
                assertThrows(WorkflowUpdateException.class, () -> wf.approveCutover(new Approval("alice", null)));
        assertTrue(rootMessage(lagging).contains("not in sync: lag 512.0 MiB"), rootMessage(lagging));
        assertNull(wf.status().approval());
        assertFalse(fake.calls.contains("freezeWrites"));
    }

    @Test
    void approvalSignalFromTheWebUiIsIgnoredWhileLaggingAndAcceptedInSync() {
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.CATCH_UP);
        WorkflowStub.fromTyped(wf).signal(MigrationWorkflow.Names.APPROVE, new Approval("bob", "too early"));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        assertNull(wf.status().approval());
        assertTrue(wf.status().notes().stream().anyMatch(n -> n.contains("approval signal from bob ignored")));

        WorkflowStub.fromTyped(wf).signal(MigrationWorkflow.Names.APPROVE, new Approval("bob", "now"));
        assertEquals(Phase.DONE, result(wf).status().phase());
    }

    @Test
    void approvalGivenWhileTargetFallsBehindExpires() {
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        // Approved while in sync, then behind for good: the gate must not open on the old approval.
        fake.lag = () -> FakeActivities.LAGGING;
        wf.approveCutover(new Approval("alice", null));
        MigrationStatus held = awaitStatus(wf, s -> s.waitingFor().contains("fell behind"));
        assertNotNull(held.approval());

        env.sleep(Duration.ofMinutes(31));
        MigrationStatus expired = awaitStatus(wf, s -> s.approval() == null);
        assertTrue(expired.notes().stream().anyMatch(n -> n.contains("approval by alice expired after 30m")));
        fake.lag = () -> FakeActivities.IN_SYNC;
        env.sleep(Duration.ofMinutes(5));
        assertEquals(Phase.AWAIT_CUTOVER, wf.status().phase());
        assertFalse(fake.calls.contains("freezeWrites"));
    }

    @Test
    void abortBeforePromotionLeavesTheSourceServing() {
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        wf.abort(new AbortRequest("carol", "change window closed"));

        ApplicationFailure f = failureOf(wf);
        assertEquals(Failures.ABORTED, f.getType());
        assertTrue(f.getOriginalMessage().contains("aborted by carol: change window closed"), f.getOriginalMessage());
        assertTrue(
                f.getOriginalMessage().contains("Nothing was promoted: the source 198.18.0.11 is still the primary"),
                f.getOriginalMessage());
        assertEquals(1, fake.count("undoPrepareSource"));
        assertFalse(fake.calls.contains("freezeWrites"));
        assertFalse(fake.calls.contains("promote"));
        assertEquals(Phase.ABORTED, wf.status().phase());
    }

    /** The CLI's abort: the update, then a cancellation request, so Temporal records CANCELED, not FAILED. */
    @Test
    void anAbortFollowedByACancellationRequestEndsCancelledWithTheRollbacksWords() {
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        wf.abort(new AbortRequest("carol", "change window closed"));
        WorkflowStub.fromTyped(wf).cancel("aborted by carol: change window closed");

        WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> result(wf));
        assertInstanceOf(io.temporal.failure.CanceledFailure.class, e.getCause());
        String words = wf.status().failure();
        assertTrue(words.contains("aborted by carol: change window closed"), words);
        assertTrue(words.contains("Nothing was promoted: the source 198.18.0.11 is still the primary"), words);
        assertEquals(
                io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
                WorkflowStub.fromTyped(wf).describe().getStatus());
        assertEquals(1, fake.count("undoPrepareSource"));
        assertEquals(Phase.ABORTED, wf.status().phase());
    }

    /** The Web UI's abort signal comes with no cancellation: the migration ends FAILED, typed Aborted. */
    @Test
    void anAbortSignalEndsFailedTypedAborted() {
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.AWAIT_CUTOVER);
        WorkflowStub.fromTyped(wf).signal(MigrationWorkflow.Names.ABORT, new AbortRequest("dave", "from the UI"));

        assertEquals(Failures.ABORTED, failureOf(wf).getType());
        assertEquals(1, fake.count("undoPrepareSource"));
    }

    @Test
    void abortDuringBaseCopyCancelsTheCopyAndUndoesPreparation() {
        fake.on("baseCopy", FakeActivities.blockUntilCancelled());
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.BASE_COPY);
        wf.abort(new AbortRequest("carol", "wrong target"));

        assertEquals(Failures.ABORTED, failureOf(wf).getType());
        assertEquals(
                List.of(
                        "preflight",
                        "benchmarkTarget",
                        "prepareSource",
                        "baseCopy",
                        "quietTarget",
                        "undoPrepareSource",
                        "writeReport"),
                fake.steps());
        assertTrue(wf.status().steps().stream()
                .anyMatch(s -> s.phase() == Phase.BASE_COPY && s.outcome() == StepRecord.Outcome.CANCELLED));
    }

    @Test
    void abortAfterFreezeMakesTheSourceWritableAndResumesTheApplication() {
        fake.on("verifySync", FakeActivities.blockUntilCancelled());
        MigrationWorkflow wf = start(TestSpecs.spec(
                CutoverMode.AUTOMATIC, Duration.ofHours(1), new HookSpec("systemctl stop app", null, null)));
        awaitPhase(wf, Phase.VERIFY_SYNC);
        wf.abort(new AbortRequest("carol", "stop"));

        assertEquals(Failures.ABORTED, failureOf(wf).getType());
        List<String> steps = fake.steps();
        assertEquals(
                List.of("unfreezeWrites", "resumeApplication", "quietTarget", "undoPrepareSource"),
                steps.subList(steps.indexOf("verifySync") + 1, steps.size() - 1));
        assertFalse(steps.contains("promote"));
    }

    /**
     * The MySQL trial: promotion retrying against a target that does not answer, abort refused by
     * the phase. Now the abort is accepted, the running attempt ends first, and the target, asked,
     * says it is still a standby: the cutover rolls back.
     */
    @Test
    void anAbortDuringPromotionAsksTheTargetAndRollsBackWhenItIsStillAStandby() {
        fake.on("promote", FakeActivities.blockUntilCancelled());
        MigrationWorkflow wf = start(pgbouncer());
        awaitPhase(wf, Phase.PROMOTE);
        String answer = wf.abort(new AbortRequest("carol", "the target's network is down"));
        assertTrue(answer.contains("asked whether it takes writes"), answer);

        ApplicationFailure f = failureOf(wf);
        assertEquals(Failures.ABORTED, f.getType());
        List<String> steps = fake.steps();
        assertEquals(
                List.of("promote", "targetPromoted", "unfreezeWrites", "resumeTrafficOnSource"),
                steps.subList(steps.indexOf("promote"), steps.indexOf("resumeTrafficOnSource") + 1));
        assertEquals(0, fake.count("resumeTraffic"), "clients never let through to the unpromoted target");
    }

    /** An attempt that got as far as promoting before the abort stopped it: the target is the primary, so forward. */
    @Test
    void anAbortDuringPromotionGoesForwardWhenTheTargetAnswersItTakesWrites() {
        AtomicInteger attempts = new AtomicInteger();
        Runnable blocked = FakeActivities.blockUntilCancelled();
        fake.on("promote", () -> {
            if (attempts.incrementAndGet() == 1) {
                fake.targetIsPrimary = true;
                blocked.run();
            }
        });
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        awaitPhase(wf, Phase.PROMOTE);
        wf.abort(new AbortRequest("carol", "second thoughts"));
        MigrationResult r = result(wf);

        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(1, fake.count("targetPromoted"));
        assertEquals(2, fake.count("promote"), "the promotion finished after the target answered");
        assertEquals(0, fake.count("unfreezeWrites"), "the source stays fenced: the target is the primary");
        assertTrue(
                r.status().notes().stream().anyMatch(n -> n.contains("abort by carol came too late")),
                r.status().notes().toString());
    }

    @Test
    void abortIsRejectedOnceThePromotionHasHappened() {
        fake.on("backupNewPrimary", FakeActivities.blockUntilCancelled());
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        awaitPhase(wf, Phase.POST_PROMOTION);
        WorkflowUpdateException e =
                assertThrows(WorkflowUpdateException.class, () -> wf.abort(new AbortRequest("carol", "too late")));
        assertTrue(rootMessage(e).contains("has been promoted"), rootMessage(e));
    }

    @Test
    void benchmarkBelowTheFloorStopsBeforePrepareSource() {
        fake.iops = 2_000;
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        ApplicationFailure f = failureOf(wf);

        assertEquals(Failures.IOPS_BELOW_FLOOR, f.getType());
        assertTrue(f.getOriginalMessage().contains("2000 write IOPS"), f.getOriginalMessage());
        assertTrue(f.getOriginalMessage().contains("below the floor of 10000"), f.getOriginalMessage());
        assertEquals(List.of("preflight", "benchmarkTarget", "writeReport"), fake.steps());
    }

    @Test
    void transientActivityFailuresAreRetried() {
        fake.on("preflight", FakeActivities.failFirst(2, new AtomicInteger()));
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        assertEquals(Phase.DONE, result(wf).status().phase());
        assertEquals(3, fake.count("preflight"));
    }

    @Test
    void nonRetryableFailureEndsTheMigrationWithItsReason() {
        fake.on("baseCopy", () -> {
            throw Failures.fatal(
                    Failures.WIPE_REFUSED,
                    "/var/lib/postgresql/15/main on 198.18.0.12 belongs to another cluster (system identifier 7301)");
        });
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        ApplicationFailure f = failureOf(wf);

        assertEquals(Failures.WIPE_REFUSED, f.getType());
        assertTrue(f.getOriginalMessage().contains("belongs to another cluster"), f.getOriginalMessage());
        assertEquals(1, fake.count("baseCopy"));
        assertEquals(1, fake.count("undoPrepareSource"));
        assertEquals(Phase.FAILED, wf.status().phase());
    }

    @Test
    void catchUpThatNeverConvergesSaysSoAndFailsAtTheDeadline() {
        fake.lag = () -> FakeActivities.LAGGING;
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC, Duration.ofHours(1), null));
        awaitPhase(wf, Phase.CATCH_UP);
        // Judged from the lag's rate within the first minute, not after a fixed five-minute window.
        env.sleep(Duration.ofMinutes(1));
        MigrationStatus s = wf.status();
        assertTrue(s.waitingFor().contains("NOT CONVERGING"), s.waitingFor());
        assertFalse(s.catchUp().converging(), s.catchUp().toString());
        assertEquals(
                dev.switchover.workflows.status.CatchUpProgress.Trend.STEADY,
                s.catchUp().trend());
        assertNull(s.catchUp().inSyncAt());

        ApplicationFailure f = failureOf(wf);
        assertEquals(Failures.CATCH_UP_DEADLINE, f.getType());
        assertTrue(f.getOriginalMessage().contains("did not catch up within 1h"), f.getOriginalMessage());
        assertTrue(f.getOriginalMessage().contains("source is untouched"), f.getOriginalMessage());
        assertFalse(fake.calls.contains("freezeWrites"));
        assertEquals(1, fake.count("undoPrepareSource"));
    }

    @Test
    void pauseHoldsTheCatchUpAndResumeLetsItFinish() {
        fake.lag = () -> FakeActivities.LAGGING;
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC, Duration.ofHours(1), null));
        MigrationStatus before = awaitPhase(wf, Phase.CATCH_UP);
        wf.pause("dave");
        fake.lag = () -> FakeActivities.IN_SYNC;
        env.sleep(Duration.ofHours(2));

        MigrationStatus paused = wf.status();
        assertEquals(Phase.CATCH_UP, paused.phase());
        assertTrue(paused.paused());
        assertTrue(paused.waitingFor().contains("paused by dave"), paused.waitingFor());
        assertFalse(fake.calls.contains("freezeWrites"));
        assertTrue(
                paused.catchUpDeadline().isAfter(before.catchUpDeadline().plus(Duration.ofMinutes(90))),
                "time spent paused moves the deadline");

        WorkflowUpdateException twice = assertThrows(WorkflowUpdateException.class, () -> wf.pause("dave"));
        assertTrue(rootMessage(twice).contains("already paused"));
        wf.resume("dave");
        assertEquals(Phase.DONE, result(wf).status().phase());
    }

    @Test
    void statusNamesThePhaseEachStepRunsIn() {
        Map<String, Phase> seen = new ConcurrentHashMap<>();
        String id = TestSpecs.spec(CutoverMode.AUTOMATIC).workflowId();
        for (String step : List.of(
                "preflight",
                "benchmarkTarget",
                "prepareSource",
                "baseCopy",
                "freezeWrites",
                "verifySync",
                "promote",
                "backupNewPrimary",
                "runChecklist")) {
            fake.on(
                    step,
                    () -> seen.put(
                            step,
                            client.newWorkflowStub(MigrationWorkflow.class, id)
                                    .status()
                                    .phase()));
        }
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        result(wf);

        assertEquals(
                Map.of(
                        "preflight",
                        Phase.PREFLIGHT,
                        "benchmarkTarget",
                        Phase.BENCHMARK,
                        "prepareSource",
                        Phase.PREPARE_SOURCE,
                        "baseCopy",
                        Phase.BASE_COPY,
                        "freezeWrites",
                        Phase.FREEZE_WRITES,
                        "verifySync",
                        Phase.VERIFY_SYNC,
                        "promote",
                        Phase.PROMOTE,
                        "backupNewPrimary",
                        Phase.POST_PROMOTION,
                        "runChecklist",
                        Phase.POST_PROMOTION),
                seen);
    }

    @Test
    void statusShowsLagCopyProgressAndWhatItWaitsFor() {
        fake.on("baseCopy", () -> {
            String id = io.temporal.activity.Activity.getExecutionContext()
                    .getInfo()
                    .getWorkflowId();
            // By name, as ActivityProgress sends it: the workflow has no named handler for it.
            client.newUntypedWorkflowStub(id)
                    .signal(
                            MigrationWorkflow.Names.COPY_PROGRESS,
                            new dev.switchover.workflows.activities.CopyProgress(50L << 20, 200L << 20, "streaming"));
            FakeActivities.blockUntilCancelled().run();
        });
        fake.lag = () -> FakeActivities.LAGGING;
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        MigrationStatus copying = awaitStatus(wf, s -> s.copy() != null);
        assertEquals(Phase.BASE_COPY, copying.phase());
        assertEquals(25.0, copying.copy().percent(), 0.01);
        assertTrue(copying.waitingFor().contains("base copy 25.0%"), copying.waitingFor());
        // What the Web UI offers operators to send: the operator's signals, not the copy's own.
        io.temporal.api.sdk.v1.WorkflowMetadata metadata = WorkflowStub.fromTyped(wf)
                .query("__temporal_workflow_metadata", io.temporal.api.sdk.v1.WorkflowMetadata.class);
        List<String> signals = metadata.getDefinition().getSignalDefinitionsList().stream()
                .map(io.temporal.api.sdk.v1.WorkflowInteractionDefinition::getName)
                .toList();
        assertTrue(
                signals.contains(MigrationWorkflow.Names.APPROVE) && signals.contains(MigrationWorkflow.Names.ABORT),
                signals.toString());
        assertFalse(signals.contains(MigrationWorkflow.Names.COPY_PROGRESS), signals.toString());
        wf.abort(new AbortRequest("erin", "test over"));
        failureOf(wf);
        assertNotNull(wf.status().failure());
    }

    @Test
    void statusWhileCatchingUpReportsLagAndTheDeadline() {
        fake.lag = () -> FakeActivities.LAGGING;
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        MigrationStatus s = awaitStatus(wf, x -> x.phase() == Phase.CATCH_UP && x.lag() != null);
        assertEquals(512L << 20, s.lag().lagBytes());
        assertNull(s.inSyncFor());
        assertNotNull(s.catchUpDeadline());
        assertTrue(s.waitingFor().contains("waiting for lag under 1.0 MiB / 1.0 s"), s.waitingFor());

        fake.lag = () -> FakeActivities.IN_SYNC;
        MigrationStatus holding = awaitStatus(wf, x -> x.inSyncFor() != null);
        assertTrue(holding.waitingFor().contains("in sync; holding for 30s"), holding.waitingFor());
        wf.abort(new AbortRequest("erin", "test over"));
        failureOf(wf);
    }

    @Test
    void aSpecThatSkipsValidationIsRejectedByTheWorkflow() {
        MigrationSpec good = TestSpecs.spec(CutoverMode.AUTOMATIC);
        MigrationSpec inlineSecret = new MigrationSpec(
                good.name(),
                good.engine(),
                good.source(),
                good.target(),
                new dev.switchover.workflows.spec.ReplicationSpec("replicator", "hunter2", "slot"),
                good.benchmark(),
                good.catchUp(),
                good.cutover(),
                good.traffic(),
                good.backup(),
                good.report());
        MigrationWorkflow wf = start(inlineSecret);
        ApplicationFailure f = failureOf(wf);
        assertEquals(Failures.INVALID_SPEC, f.getType());
        assertTrue(f.getOriginalMessage().contains("replication.password"), f.getOriginalMessage());
        assertFalse(f.getOriginalMessage().contains("hunter2"));
        assertTrue(fake.calls.isEmpty());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t instanceof ApplicationFailure a ? a.getOriginalMessage() : t.getMessage();
    }

    // ---- traffic.type: pgbouncer: the order for the shortest write pause, and traffic resumed on the source on
    // rollback ----

    private static MigrationSpec pgbouncer() {
        return TestSpecs.withPgBouncer(TestSpecs.spec(CutoverMode.AUTOMATIC));
    }

    /**
     * The steps from the pause on, where the PgBouncer path differs, without the repoint: it runs
     * beside the freeze and the sync check, in no fixed order with them.
     */
    private List<String> cutoverSteps() {
        List<String> steps = new java.util.ArrayList<>(fake.steps());
        steps.removeIf("repointTraffic"::equals);
        int from = steps.indexOf("pauseTraffic");
        return steps.subList(from < 0 ? steps.indexOf("freezeWrites") : from, steps.size());
    }

    @Test
    void pausesBeforeTheFreezeRepointsBeforePromotionAndResumesRightAfterIt() {
        MigrationWorkflow wf = start(pgbouncer());
        MigrationResult r = result(wf);

        assertEquals(
                List.of(
                        "pauseTraffic",
                        "freezeWrites",
                        "verifySync",
                        "promote",
                        "resumeTraffic",
                        "backupNewPrimary",
                        "retireOldSource",
                        "runChecklist",
                        "writeReport"),
                cutoverSteps());
        List<String> all = fake.steps();
        assertEquals(1, fake.count("repointTraffic"));
        assertTrue(
                all.indexOf("pauseTraffic") < all.indexOf("repointTraffic")
                        && all.indexOf("repointTraffic") < all.indexOf("promote"),
                all.toString());
        assertEquals(
                List.of("preflight", "benchmarkTarget", "prepareSource", "baseCopy"),
                fake.steps().subList(0, fake.steps().indexOf("pauseTraffic")));
        assertEquals(0, fake.count("switchTraffic"), "the command switch is not used");
        assertEquals(0, fake.count("resumeTrafficOnSource"));
        assertEquals(Phase.DONE, r.status().phase());
        StepRecord freeze = step(r, Phase.FREEZE_WRITES);
        assertTrue(freeze.detail().startsWith("clients held by PgBouncer; source read-only"), freeze.detail());
        StepRecord traffic = step(r, Phase.SWITCH_TRAFFIC);
        assertEquals("pgbouncer: orders pointed at the target and reloaded; orders resumed", traffic.detail());
    }

    @Test
    void aRepointThatFailsBeforePromotionRollsBackAndResumesOnTheSource() {
        fake.on("repointTraffic", () -> {
            throw Failures.fatal(Failures.WRONG_HOST, "PgBouncer routes orders to 198.18.0.99:5432");
        });
        MigrationWorkflow wf = start(pgbouncer());

        assertEquals(Failures.WRONG_HOST, failureOf(wf).getType());
        assertFalse(fake.calls.contains("promote"), "never promoted without PgBouncer pointing at the target");
        assertEquals(
                List.of("unfreezeWrites", "resumeTrafficOnSource", "quietTarget", "undoPrepareSource", "writeReport"),
                cutoverSteps()
                        .subList(
                                cutoverSteps().indexOf("verifySync") + 1,
                                cutoverSteps().size()));
    }

    @Test
    void pauseComesBeforeTheStopApplicationHookAndIsUndoneLast() {
        fake.on("verifySync", () -> {
            throw Failures.fatal(Failures.SYNC_NOT_REACHED, "the target stayed at 0/3000000");
        });
        MigrationWorkflow wf = start(TestSpecs.withPgBouncer(TestSpecs.spec(
                CutoverMode.AUTOMATIC, Duration.ofHours(1), new HookSpec("systemctl stop app", null, null))));

        assertEquals(Failures.SYNC_NOT_REACHED, failureOf(wf).getType());
        assertEquals(
                List.of(
                        "pauseTraffic",
                        "stopApplication",
                        "freezeWrites",
                        "verifySync",
                        "unfreezeWrites",
                        "resumeApplication",
                        "resumeTrafficOnSource",
                        "quietTarget",
                        "undoPrepareSource",
                        "writeReport"),
                cutoverSteps());
    }

    @Test
    void failureBeforePromotionResumesTrafficOnTheSourceAfterMakingItWritable() {
        fake.on("verifySync", () -> {
            throw Failures.fatal(Failures.SYNC_NOT_REACHED, "the target stayed at 0/3000000");
        });
        MigrationWorkflow wf = start(pgbouncer());
        ApplicationFailure f = failureOf(wf);

        assertEquals(Failures.SYNC_NOT_REACHED, f.getType());
        assertTrue(
                f.getOriginalMessage().contains("undone: make the source writable again; resume traffic on the source"),
                f.getOriginalMessage());
        assertEquals(
                List.of(
                        "pauseTraffic",
                        "freezeWrites",
                        "verifySync",
                        "unfreezeWrites",
                        "resumeTrafficOnSource",
                        "quietTarget",
                        "undoPrepareSource",
                        "writeReport"),
                cutoverSteps());
        assertFalse(fake.calls.contains("promote"));
        assertFalse(fake.calls.contains("resumeTraffic"));
    }

    /** The failure's last words are true to what the rollback did: a freeze it could not lift is said, not hidden. */
    @Test
    void aFreezeThatCouldNotBeLiftedIsSaidInTheFailure() {
        fake.on("verifySync", () -> {
            throw Failures.fatal(Failures.SYNC_NOT_REACHED, "the target stayed at 0/3000000");
        });
        fake.on("unfreezeWrites", () -> {
            throw Failures.fatal(Failures.WRONG_HOST, "the source answers as another server");
        });
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        String message = failureOf(wf).getOriginalMessage();

        assertTrue(
                message.contains("the source 198.18.0.11 is still the primary, but it may still refuse writes"),
                message);
        assertTrue(
                message.contains("NOT undone, do it by hand: make the source writable again (the source answers as"
                        + " another server)"),
                message);
        assertFalse(message.contains("takes writes again"), message);
        assertTrue(
                message.contains(
                        "undone: stop the target's replication; remove what prepare-source added on the source"),
                message);
    }

    @Test
    void aFreezeLiftedByTheRollbackIsSaidToo() {
        fake.on("verifySync", () -> {
            throw Failures.fatal(Failures.SYNC_NOT_REACHED, "the target stayed at 0/3000000");
        });
        String message = failureOf(start(TestSpecs.spec(CutoverMode.AUTOMATIC))).getOriginalMessage();
        assertTrue(message.contains("the source 198.18.0.11 is still the primary and takes writes again"), message);
        assertFalse(message.contains("NOT undone"), message);
    }

    @Test
    void aPauseThatFailsIsResumedOnTheSourceAndNothingIsFrozen() {
        fake.on("pauseTraffic", () -> {
            throw Failures.fatal(Failures.TRAFFIC_NOT_PAUSED, "transactions through it were still running");
        });
        MigrationWorkflow wf = start(pgbouncer());

        assertEquals(Failures.TRAFFIC_NOT_PAUSED, failureOf(wf).getType());
        assertEquals(1, fake.count("pauseTraffic"), "a non-retryable refusal is not retried");
        assertEquals(0, fake.count("freezeWrites"));
        assertEquals(1, fake.count("resumeTrafficOnSource"));
        assertEquals(Phase.FAILED, wf.status().phase());
    }

    @Test
    void promotionRefusedBeforeActingResumesTrafficOnTheSource() {
        fake.on("promote", () -> {
            throw Failures.fatal(Failures.WRONG_HOST, "198.18.0.12 is not a standby of 198.18.0.11");
        });
        MigrationWorkflow wf = start(pgbouncer());

        assertEquals(Failures.WRONG_HOST, failureOf(wf).getType());
        assertEquals(
                List.of("unfreezeWrites", "resumeTrafficOnSource", "quietTarget", "undoPrepareSource", "writeReport"),
                cutoverSteps()
                        .subList(
                                cutoverSteps().indexOf("promote") + 1,
                                cutoverSteps().size()));
    }

    @Test
    void aSourceThatCannotBeReachedHoldsPromotionAndItGoesOnOnceTheSourceAnswers() {
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        fake.on("promote", () -> {
            if (tries.incrementAndGet() <= 3) {
                throw Failures.fatal(
                        Failures.SOURCE_UNREACHABLE, "the source 198.18.0.11 cannot be reached. Nothing was promoted.");
            }
        });
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        MigrationStatus held = awaitStatus(wf, s -> s.waitingFor().contains("cannot be reached"));
        assertEquals(Phase.PROMOTE, held.phase());
        assertTrue(held.waitingFor().contains("switchover abort"), held.waitingFor());
        MigrationResult r = result(wf);

        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(4, fake.count("promote"), "tried again every 30 s until the source answered");
        assertEquals(0, fake.count("unfreezeWrites"));
        assertTrue(
                r.status().notes().stream().anyMatch(n -> n.contains("HELD before promotion")),
                r.status().notes().toString());
    }

    @Test
    void anAbortWhilePromotionIsHeldRollsBackForNothingWasPromoted() {
        fake.on("promote", () -> {
            throw Failures.fatal(
                    Failures.SOURCE_UNREACHABLE, "the source 198.18.0.11 cannot be reached. Nothing was promoted.");
        });
        MigrationWorkflow wf = start(pgbouncer());
        awaitStatus(wf, s -> s.waitingFor().contains("cannot be reached"));
        wf.abort(new AbortRequest("carol", "the source's host is gone for hours"));

        assertEquals(Failures.ABORTED, failureOf(wf).getType());
        assertEquals(1, fake.count("unfreezeWrites"));
        assertEquals(1, fake.count("resumeTrafficOnSource"));
        assertEquals(0, fake.count("resumeTraffic"), "clients never let through to the unpromoted target");
    }

    @Test
    void whileHeldTheOperatorMayPromoteWithoutTheSourceAndNotBefore() {
        fake.on("promote", () -> {
            throw Failures.fatal(
                    Failures.SOURCE_UNREACHABLE, "the source 198.18.0.11 cannot be reached. Nothing was promoted.");
        });
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        MigrationStatus held = awaitStatus(wf, s -> s.waitingFor().contains("cannot be reached"));
        assertTrue(held.waitingFor().contains("promote-without-source"), held.waitingFor());
        assertThrows(
                WorkflowUpdateException.class,
                () -> wf.promoteWithoutSource(new OperatorDecision("erin", "")),
                "a decision needs a reason");
        wf.promoteWithoutSource(new OperatorDecision("erin", "the source's host burned down"));
        MigrationResult r = result(wf);

        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(1, fake.count("promoteWithoutSource"));
        assertEquals(0, fake.count("unfreezeWrites"));
        assertTrue(
                r.status().notes().stream().anyMatch(n -> n.contains("decided by erin: the source's host burned down")),
                r.status().notes().toString());
    }

    @Test
    void promotingWithoutTheSourceIsRefusedUnlessPromotionIsHeld() {
        fake.lag = () -> FakeActivities.LAGGING;
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.MANUAL));
        awaitPhase(wf, Phase.CATCH_UP);
        WorkflowUpdateException refused = assertThrows(
                WorkflowUpdateException.class,
                () -> wf.promoteWithoutSource(new OperatorDecision("erin", "impatient")));
        assertTrue(rootMessage(refused).contains("promotion is not held"), rootMessage(refused));
        wf.abort(new AbortRequest("erin", "done testing"));
        assertEquals(Failures.ABORTED, failureOf(wf).getType());
        assertEquals(0, fake.count("promoteWithoutSource"));
    }

    @Test
    void aSourceNoLongerFencedAtPromotionRollsBack() {
        fake.on("promote", () -> {
            throw Failures.fatal(Failures.SOURCE_NOT_FENCED, "the source 198.18.0.11 is no longer fenced");
        });
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));

        assertEquals(Failures.SOURCE_NOT_FENCED, failureOf(wf).getType());
        assertEquals(1, fake.count("promote"));
        assertEquals(1, fake.count("unfreezeWrites"));
    }

    @Test
    void walHeldBackOnTheSourceIsShownWarnedAboutAndStopsTheMigrationAtItsBound() {
        // 10 GiB free on the source's WAL volume: the default bound is half of what the slot could take.
        java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
        fake.lag = () -> {
            long h = held.addAndGet(1L << 30);
            return FakeActivities.LAGGING.retaining(h, (11L << 30) - h);
        };
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        ApplicationFailure f = failureOf(wf);

        assertEquals(Failures.RETAINED_WAL_LIMIT, f.getType());
        assertTrue(
                f.getOriginalMessage().contains("6.0 GiB of WAL held back on the source 198.18.0.11")
                        && f.getOriginalMessage().contains("the bound is 5.5 GiB"),
                f.getOriginalMessage());
        assertEquals(1, fake.count("undoPrepareSource"), "the rollback releases the slot");
        MigrationStatus s = wf.status();
        assertTrue(
                s.notes().stream().anyMatch(n -> n.contains("WARNING: 3.0 GiB of WAL held back")),
                s.notes().toString());
        assertTrue(s.lag().retainedBytes() == 6L << 30, s.lag().toString());
    }

    /** A copy of hours holds WAL back from its first minute: watched and bounded while it runs, not only after. */
    @Test
    void walHeldBackDuringTheBaseCopyStopsTheCopyAtItsBound() {
        fake.on("baseCopy", FakeActivities.blockUntilCancelled());
        // The first sample, 30 s into the copy: 6 GiB held, 5 GiB free, the default bound half of 11.
        fake.lag = () -> FakeActivities.LAGGING.retaining(6L << 30, 5L << 30);
        MigrationWorkflow wf = start(TestSpecs.spec(CutoverMode.AUTOMATIC));
        ApplicationFailure f = failureOf(wf);

        assertEquals(Failures.RETAINED_WAL_LIMIT, f.getType());
        assertTrue(
                f.getOriginalMessage().contains("6.0 GiB of WAL held back")
                        && f.getOriginalMessage().contains("the bound is 5.5 GiB"),
                f.getOriginalMessage());
        List<String> steps = fake.steps();
        assertEquals(
                List.of("baseCopy", "quietTarget", "undoPrepareSource", "writeReport"),
                steps.subList(steps.indexOf("baseCopy"), steps.size()),
                "the copy stopped, the slot released, nothing after the copy ran");
        assertTrue(
                wf.status().steps().stream()
                        .anyMatch(r -> r.phase() == Phase.BASE_COPY && r.outcome() == StepRecord.Outcome.FAILED),
                wf.status().steps().toString());
    }

    @Test
    void anOldSourceThatCannotBeCleanedUpIsNotedAndTheMigrationStillEndsDone() {
        fake.on("retireOldSource", () -> {
            throw new IllegalStateException("Connection to 198.18.0.11:5432 refused");
        });
        MigrationResult r = result(start(TestSpecs.spec(CutoverMode.AUTOMATIC)));

        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(2, fake.count("retireOldSource"), "two attempts, then it is reported");
        assertTrue(
                r.status().notes().stream()
                        .anyMatch(n -> n.contains("the old source 198.18.0.11 could not be cleaned up")
                                && n.contains("refused")),
                r.status().notes().toString());
        assertTrue(step(r, Phase.POST_PROMOTION).detail().contains("could not be cleaned up"));
    }

    @Test
    void abortWhileClientsAreHeldResumesThemOnTheSource() {
        fake.on("verifySync", FakeActivities.blockUntilCancelled());
        MigrationWorkflow wf = start(pgbouncer());
        awaitPhase(wf, Phase.VERIFY_SYNC);
        wf.abort(new AbortRequest("carol", "change window closed"));

        assertEquals(Failures.ABORTED, failureOf(wf).getType());
        assertEquals(
                List.of("unfreezeWrites", "resumeTrafficOnSource", "quietTarget", "undoPrepareSource"),
                cutoverSteps()
                        .subList(
                                cutoverSteps().indexOf("verifySync") + 1,
                                cutoverSteps().size() - 1));
    }

    @Test
    void aFailedResumeAfterPromotionDoesNotGoBackAndSaysWhatToDoByHand() {
        fake.on("resumeTraffic", () -> {
            throw Failures.fatal(Failures.WRONG_HOST, "PgBouncer routes orders to 198.18.0.99:5432");
        });
        MigrationWorkflow wf = start(pgbouncer());
        ApplicationFailure f = failureOf(wf);

        assertEquals("TrafficSwitchFailed", f.getType());
        assertTrue(
                f.getOriginalMessage().contains("RELOAD and RESUME orders on the admin console"),
                f.getOriginalMessage());
        assertEquals(0, fake.count("resumeTrafficOnSource"), "after promotion the source is never resumed");
        assertEquals(0, fake.count("unfreezeWrites"));
    }

    private static StepRecord step(MigrationResult r, Phase phase) {
        return r.status().steps().stream()
                .filter(s -> s.phase() == phase)
                .findFirst()
                .orElseThrow();
    }
}
