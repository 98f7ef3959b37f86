package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * replication.method: auto is resolved by preflight, and every step after it is given a spec that
 * names the method preflight chose, so the worker runs that method's engine.
 */
class ResolvedMethodWorkflowTest {
    private static final Set<String> AFTER_PREFLIGHT = Set.of(
            "benchmarkTarget",
            "prepareSource",
            "baseCopy",
            "freezeWrites",
            "verifySync",
            "promote",
            "backupNewPrimary",
            "retireOldSource",
            "runChecklist",
            "writeReport");

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

    private MigrationResult run(MigrationSpec spec) {
        return WorkflowStub.fromTyped(MigrationLaunch.start(client, spec)).getResult(MigrationResult.class);
    }

    private static String preflightDetail(MigrationStatus s) {
        return s.steps().stream()
                .filter(step -> step.phase() == Phase.PREFLIGHT)
                .map(StepRecord::detail)
                .findFirst()
                .orElseThrow();
    }

    /** Whether the migration's history holds the version marker of the method's resolution. */
    private boolean resolutionRecorded(MigrationSpec spec) {
        for (HistoryEvent e : client.fetchHistory(spec.workflowId()).getEvents()) {
            if (e.getEventType() == EventType.EVENT_TYPE_MARKER_RECORDED
                    && e.getMarkerRecordedEventAttributes().getDetailsMap().values().stream()
                            .anyMatch(p -> p.toString().contains("resolved-method"))) return true;
        }
        return false;
    }

    @Test
    void autoResolvedToLogicalReachesEveryLaterStep() {
        fake.preflightMethod = ReplicationSpec.LOGICAL;
        fake.targetVersion = "17.2";
        MigrationSpec spec = TestSpecs.spec(CutoverMode.AUTOMATIC).withMethod(ReplicationSpec.AUTO);

        MigrationResult r = run(spec);

        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(Set.of(ReplicationSpec.AUTO), fake.methods.get("preflight"));
        for (String step : AFTER_PREFLIGHT) {
            assertEquals(Set.of(ReplicationSpec.LOGICAL), fake.methods.get(step), step);
        }
        assertEquals(
                "source 15.8, target 17.2; 1 checks; 0 settings to change (0 need a restart);"
                        + " method logical (auto: target 17 is newer than source 15)",
                preflightDetail(r.status()));
        assertTrue(resolutionRecorded(spec));
    }

    @Test
    void autoResolvedToPhysicalSaysWhy() {
        fake.preflightMethod = ReplicationSpec.PHYSICAL;
        MigrationSpec spec = TestSpecs.spec(CutoverMode.AUTOMATIC).withMethod(ReplicationSpec.AUTO);

        MigrationResult r = run(spec);

        assertEquals(Set.of(ReplicationSpec.PHYSICAL), fake.methods.get("baseCopy"));
        assertTrue(
                preflightDetail(r.status()).endsWith("; method physical (auto: target 15 is the source's major)"),
                preflightDetail(r.status()));
    }

    /** A physical spec whose preflight says physical runs and reads exactly as before methods existed. */
    @Test
    void physicalStaysAsItWas() {
        fake.preflightMethod = ReplicationSpec.PHYSICAL;
        MigrationSpec spec = TestSpecs.spec(CutoverMode.AUTOMATIC);
        assertEquals(ReplicationSpec.PHYSICAL, spec.replication().method(), "PostgreSQL's default");

        MigrationResult r = run(spec);

        assertEquals(
                "source 15.8, target 15.8; 1 checks; 0 settings to change (0 need a restart)",
                preflightDetail(r.status()));
        for (String step : AFTER_PREFLIGHT) {
            assertEquals(Set.of(ReplicationSpec.PHYSICAL), fake.methods.get(step), step);
        }
        assertFalse(resolutionRecorded(spec), "nothing resolved, nothing recorded");
    }

    /** A logical spec is named in the record, without the auto's reason. */
    @Test
    void logicalIsNamedInThePreflightRecord() {
        fake.preflightMethod = ReplicationSpec.LOGICAL;
        fake.targetVersion = "17.2";
        MigrationSpec spec = TestSpecs.spec(CutoverMode.AUTOMATIC).withMethod(ReplicationSpec.LOGICAL);

        MigrationResult r = run(spec);

        assertTrue(
                preflightDetail(r.status()).endsWith("need a restart); method logical"), preflightDetail(r.status()));
        assertFalse(resolutionRecorded(spec));
    }

    /** A report without a method (MySQL's, or an older worker's) leaves the spec as it is. */
    @Test
    void aReportWithoutAMethodLeavesTheSpec() {
        MigrationSpec spec = TestSpecs.spec(CutoverMode.AUTOMATIC).withMethod(ReplicationSpec.AUTO);

        run(spec);

        assertEquals(Set.of(ReplicationSpec.AUTO), fake.methods.get("baseCopy"));
        assertFalse(resolutionRecorded(spec));
    }

    /** A run that continued as new at the gate finds the method in the preflight report it was handed. */
    @Test
    void aContinuedRunKeepsTheResolvedMethod() {
        fake.preflightMethod = ReplicationSpec.LOGICAL;
        fake.targetVersion = "17.2";
        MigrationSpec spec = TestSpecs.polling(
                        TestSpecs.spec(CutoverMode.MANUAL), Duration.ofMinutes(5), Duration.ofMinutes(10))
                .withMethod(ReplicationSpec.AUTO);
        String firstRun = WorkflowStub.fromTyped(MigrationLaunch.start(client, spec))
                .getExecution()
                .getRunId();
        env.sleep(Duration.ofDays(7));
        assertEquals(
                EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
                client.fetchHistory(spec.workflowId(), firstRun).getLastEvent().getEventType(),
                "the first run continued as new");
        fake.methods.clear();
        // By its id, as the CLI addresses it: the current run answers.
        MigrationWorkflow wf = client.newWorkflowStub(MigrationWorkflow.class, spec.workflowId());

        wf.approveCutover(new Approval("alice", "CHG-1"));
        MigrationResult r = WorkflowStub.fromTyped(wf).getResult(MigrationResult.class);

        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(Set.of(ReplicationSpec.LOGICAL), fake.methods.get("measureLag"));
        assertEquals(Set.of(ReplicationSpec.LOGICAL), fake.methods.get("promote"));
    }
}
