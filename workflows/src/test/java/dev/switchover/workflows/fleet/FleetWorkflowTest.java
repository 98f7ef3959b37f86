package dev.switchover.workflows.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.FakeActivities;
import dev.switchover.workflows.MigrationWorkflowImpl;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.TestSpecs;
import dev.switchover.workflows.activities.BenchmarkResult;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.fleet.FleetSpec.WaveSpec;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fleets of child migrations on Temporal's test environment, with canned activities. */
class FleetWorkflowTest {
    private TestWorkflowEnvironment env;
    private PerDatabase fake;
    private WorkflowClient client;

    /** Canned answers, except that databases named in {@code slowDisk} fail the benchmark floor. */
    static final class PerDatabase extends FakeActivities {
        final List<String> preflighted = new CopyOnWriteArrayList<>();
        final List<String> slowDisk = new CopyOnWriteArrayList<>();

        @Override
        public PreflightReport preflight(MigrationSpec spec) {
            preflighted.add(spec.name());
            return super.preflight(spec);
        }

        @Override
        public BenchmarkResult benchmarkTarget(MigrationSpec spec) {
            BenchmarkResult r = super.benchmarkTarget(spec);
            return slowDisk.contains(spec.name())
                    ? new BenchmarkResult(120, 480, r.p99LatencyMicros(), r.directory(), r.fioVersion())
                    : r;
        }
    }

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        fake = new PerDatabase();
        Worker worker = env.newWorker(SwitchoverQueues.TASK_QUEUE);
        worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class, FleetWorkflowImpl.class);
        worker.registerActivitiesImplementations(fake);
        client = env.getWorkflowClient();
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    private static MigrationSpec db(String name, int n, CutoverMode mode) {
        return TestSpecs.named(TestSpecs.spec(mode), name, "198.18.0." + (100 + 2 * n), "198.18.0." + (101 + 2 * n));
    }

    private static FleetSpec fleet(
            int concurrency, FleetApproval approval, FailurePolicy onFailure, WaveSpec... waves) {
        return new FleetSpec("shop", concurrency, approval, onFailure, List.of(waves));
    }

    private FleetWorkflow start(FleetSpec spec) {
        FleetWorkflow wf = client.newWorkflowStub(
                FleetWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(spec.workflowId())
                        .setTaskQueue(SwitchoverQueues.TASK_QUEUE)
                        .build());
        WorkflowClient.start(wf::migrateFleet, spec);
        return wf;
    }

    private FleetStatus awaitStatus(FleetWorkflow wf, Predicate<FleetStatus> condition) {
        for (int i = 0; i < 600; i++) {
            FleetStatus s = wf.status();
            if (condition.test(s)) return s;
            env.sleep(Duration.ofSeconds(2));
        }
        throw new AssertionError("condition never held; last status " + wf.status());
    }

    private static Map<String, FleetStatus.Member> byName(FleetStatus s) {
        return s.migrations().stream().collect(Collectors.toMap(FleetStatus.Member::migration, Function.identity()));
    }

    private static ApplicationFailure failure(FleetWorkflow wf) {
        WorkflowFailedException e = assertThrows(
                WorkflowFailedException.class, () -> WorkflowStub.fromTyped(wf).getResult(FleetResult.class));
        return assertInstanceOf(ApplicationFailure.class, e.getCause());
    }

    /** The most migrations running at one instant, from their start and end times. */
    private static int mostAtOnce(FleetStatus s) {
        int most = 0;
        for (FleetStatus.Member m : s.migrations()) {
            Instant at = m.startedAt();
            long overlapping = s.migrations().stream()
                    .filter(o -> !o.startedAt().isAfter(at) && o.endedAt().isAfter(at))
                    .count();
            most = (int) Math.max(most, overlapping);
        }
        return most;
    }

    @Test
    void threeDatabasesWithConcurrencyTwoAllMoveTwoAtATime() {
        FleetWorkflow wf = start(fleet(
                2,
                null,
                null,
                new WaveSpec(
                        "all",
                        List.of(
                                db("a", 1, CutoverMode.AUTOMATIC),
                                db("b", 2, CutoverMode.AUTOMATIC),
                                db("c", 3, CutoverMode.AUTOMATIC)))));
        FleetResult r = WorkflowStub.fromTyped(wf).getResult(FleetResult.class);

        FleetStatus s = r.status();
        assertEquals(FleetState.DONE, s.state());
        assertTrue(
                s.migrations().stream().allMatch(m -> m.state() == MemberState.DONE && m.phase() == Phase.DONE),
                s.toString());
        assertEquals(2, mostAtOnce(s), "two at a time, never three: " + s.migrations());
        Map<String, FleetStatus.Member> m = byName(s);
        Instant firstEnd = m.get("a").endedAt().isBefore(m.get("b").endedAt())
                ? m.get("a").endedAt()
                : m.get("b").endedAt();
        assertTrue(!m.get("c").startedAt().isBefore(firstEnd), "c waits for a free slot: " + s.migrations());
        assertEquals("c", fake.preflighted.get(2), "listed order: a and b first, c when a slot frees");
        assertEquals(WaveState.DONE, s.waves().get(0).state());
        assertEquals("switchover-b", m.get("b").workflowId());
    }

    @Test
    void aFailureStopsItsWaveAndEveryLaterWave() {
        fake.slowDisk.add("bad");
        FleetWorkflow wf = start(fleet(
                2,
                null,
                null,
                new WaveSpec(
                        "first",
                        List.of(
                                db("bad", 1, CutoverMode.AUTOMATIC),
                                db("good", 2, CutoverMode.AUTOMATIC),
                                db("third", 3, CutoverMode.AUTOMATIC))),
                new WaveSpec("second", List.of(db("later", 4, CutoverMode.AUTOMATIC)))));

        ApplicationFailure f = failure(wf);
        assertEquals("FleetIncomplete", f.getType());
        FleetStatus s = wf.status();
        Map<String, FleetStatus.Member> m = byName(s);
        assertEquals(MemberState.FAILED, m.get("bad").state());
        assertTrue(
                m.get("bad").detail().contains("below the floor"), m.get("bad").detail());
        assertEquals(MemberState.DONE, m.get("good").state(), "a migration already running finishes: " + s);
        assertEquals(MemberState.SKIPPED, m.get("third").state());
        assertTrue(
                m.get("third").detail().contains("bad failed in wave first"),
                m.get("third").detail());
        assertEquals(MemberState.SKIPPED, m.get("later").state());
        assertEquals(
                List.of(WaveState.STOPPED, WaveState.SKIPPED),
                s.waves().stream().map(FleetStatus.Wave::state).toList());
        assertEquals(
                List.of("bad", "good"),
                fake.preflighted.stream().distinct().sorted().toList(),
                "the skipped never touched a host");
        assertTrue(
                f.getOriginalMessage().contains("bad failed")
                        && f.getOriginalMessage().contains("Moved: good"),
                f.getOriginalMessage());
    }

    @Test
    void continueWaveStartsTheRestOfTheWaveButNoLaterWave() {
        fake.slowDisk.add("bad");
        FleetWorkflow wf = start(fleet(
                1,
                null,
                FailurePolicy.CONTINUE_WAVE,
                new WaveSpec(
                        "first", List.of(db("bad", 1, CutoverMode.AUTOMATIC), db("good", 2, CutoverMode.AUTOMATIC))),
                new WaveSpec("second", List.of(db("later", 3, CutoverMode.AUTOMATIC)))));
        failure(wf);
        Map<String, FleetStatus.Member> m = byName(wf.status());
        assertEquals(MemberState.FAILED, m.get("bad").state());
        assertEquals(MemberState.DONE, m.get("good").state());
        assertEquals(MemberState.SKIPPED, m.get("later").state());
    }

    @Test
    void oneApprovalOpensTheGateOfEveryMigrationOfTheWave() {
        FleetWorkflow wf = start(fleet(
                2,
                FleetApproval.WAVE,
                null,
                new WaveSpec(
                        "canary",
                        List.of(
                                db("a", 1, CutoverMode.MANUAL),
                                db("b", 2, CutoverMode.MANUAL),
                                db("c", 3, CutoverMode.MANUAL)))));
        awaitStatus(
                wf,
                s -> s.migrations().stream()
                                .filter(x -> x.phase() == Phase.AWAIT_CUTOVER)
                                .count()
                        == 2);
        env.sleep(Duration.ofMinutes(10));
        assertEquals(0, fake.count("freezeWrites"), "nothing cuts over before the wave's approval");

        WorkflowUpdateException unknown = assertThrows(
                WorkflowUpdateException.class, () -> wf.approveWave(new WaveApproval("main", "alice", null)));
        assertTrue(
                dev.switchover.workflows.Failures.rootMessage(unknown)
                        .contains("has no wave 'main'; its waves are canary"),
                dev.switchover.workflows.Failures.rootMessage(unknown));
        String answer = wf.approveWave(new WaveApproval("canary", "alice", "CHG-7"));
        assertTrue(answer.contains("at the gate now: a, b"), answer);

        FleetResult r = WorkflowStub.fromTyped(wf).getResult(FleetResult.class);
        assertEquals(FleetState.DONE, r.status().state());
        assertEquals(3, fake.count("freezeWrites"), "c, started later, is approved at its gate too");
        assertEquals("alice", r.status().waves().get(0).approvedBy());
    }

    /** Its migrations continue as new while the wave waits for days; the fleet still follows and approves them. */
    @Test
    void aWaveHeldAtTheGateForDaysIsStillApprovedAndFinished() {
        java.util.function.Function<MigrationSpec, MigrationSpec> slow =
                m -> TestSpecs.polling(m, Duration.ofMinutes(5), Duration.ofMinutes(10));
        FleetWorkflow wf = start(fleet(
                2,
                FleetApproval.WAVE,
                null,
                new WaveSpec(
                        "all",
                        List.of(
                                slow.apply(db("a", 1, CutoverMode.MANUAL)),
                                slow.apply(db("b", 2, CutoverMode.MANUAL))))));
        awaitStatus(
                wf,
                s -> s.migrations().stream()
                                .filter(x -> x.phase() == Phase.AWAIT_CUTOVER)
                                .count()
                        == 2);
        env.sleep(Duration.ofHours(36));
        assertTrue(
                client.fetchHistory("switchover-a").getEvents().size() < MigrationWorkflowImpl.CONTINUE_AS_NEW_AT + 40,
                "the current run of a is a continued one");
        assertEquals(
                2,
                byName(wf.status()).values().stream()
                        .filter(m -> m.phase() == Phase.AWAIT_CUTOVER)
                        .count(),
                wf.status().toString());

        String answer = wf.approveWave(new WaveApproval("all", "alice", "CHG-8"));
        assertTrue(answer.contains("at the gate now: a, b"), answer);
        FleetResult r = WorkflowStub.fromTyped(wf).getResult(FleetResult.class);
        assertEquals(FleetState.DONE, r.status().state());
        assertEquals(2, fake.count("freezeWrites"));
        assertEquals(2, fake.count("prepareSource"));
    }

    @Test
    void aFleetApprovedPerDatabaseRefusesAWaveApproval() {
        FleetWorkflow wf = start(fleet(1, null, null, new WaveSpec("w", List.of(db("a", 1, CutoverMode.MANUAL)))));
        awaitStatus(wf, s -> s.migrations().get(0).phase() == Phase.AWAIT_CUTOVER);
        WorkflowUpdateException refused =
                assertThrows(WorkflowUpdateException.class, () -> wf.approveWave(new WaveApproval("w", "alice", null)));
        assertTrue(
                dev.switchover.workflows.Failures.rootMessage(refused)
                        .contains("approve each migration with `switchover approve NAME`"),
                dev.switchover.workflows.Failures.rootMessage(refused));
        client.newWorkflowStub(dev.switchover.workflows.MigrationWorkflow.class, "switchover-a")
                .approveCutover(new dev.switchover.workflows.Approval("bob", null));
        assertEquals(
                FleetState.DONE,
                WorkflowStub.fromTyped(wf).getResult(FleetResult.class).status().state());
    }

    @Test
    void abortingTheFleetRollsBackTheRunningAndSkipsTheRest() {
        FleetWorkflow wf = start(fleet(
                2,
                null,
                null,
                new WaveSpec(
                        "w",
                        List.of(
                                db("a", 1, CutoverMode.MANUAL),
                                db("b", 2, CutoverMode.MANUAL),
                                db("c", 3, CutoverMode.MANUAL)))));
        awaitStatus(
                wf,
                s -> s.migrations().stream()
                                .filter(x -> x.phase() == Phase.AWAIT_CUTOVER)
                                .count()
                        == 2);
        String answer = wf.abort(new AbortRequest("alice", "change window closed"));
        assertTrue(answer.contains("2 running migration(s) asked to abort"), answer);

        ApplicationFailure f = failure(wf);
        assertEquals("Aborted", f.getType());
        Map<String, FleetStatus.Member> m = byName(wf.status());
        assertEquals(MemberState.ABORTED, m.get("a").state());
        assertEquals(MemberState.ABORTED, m.get("b").state());
        assertEquals(MemberState.SKIPPED, m.get("c").state());
        assertEquals(2, fake.count("undoPrepareSource"), "each running migration undid its changes on its source");
        assertEquals(0, fake.count("promote"));
    }

    @Test
    void aDatabaseAlreadyMovedUnderItsNameFailsInTheFleetWithoutRunningAgain() {
        MigrationSpec a = db("a", 1, CutoverMode.AUTOMATIC);
        dev.switchover.workflows.MigrationWorkflow alone = client.newWorkflowStub(
                dev.switchover.workflows.MigrationWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(a.workflowId())
                        .setTaskQueue(SwitchoverQueues.TASK_QUEUE)
                        .build());
        alone.migrate(a, null);
        fake.preflighted.clear();

        FleetWorkflow wf =
                start(fleet(1, null, null, new WaveSpec("w", List.of(a, db("b", 2, CutoverMode.AUTOMATIC)))));
        failure(wf);
        Map<String, FleetStatus.Member> m = byName(wf.status());
        assertEquals(MemberState.FAILED, m.get("a").state());
        assertTrue(
                m.get("a").detail().contains("not started: switchover-a already ran or is running"),
                m.get("a").detail());
        assertEquals(MemberState.SKIPPED, m.get("b").state());
        assertTrue(fake.preflighted.isEmpty(), "nothing ran again: " + fake.preflighted);
    }

    @Test
    void anInvalidFleetFailsAtOnceNamingTheField() {
        FleetWorkflow wf = start(fleet(0, null, null, new WaveSpec("w", List.of(db("a", 1, CutoverMode.MANUAL)))));
        ApplicationFailure f = failure(wf);
        assertEquals("InvalidSpec", f.getType());
        assertTrue(f.getOriginalMessage().contains("concurrency: is 0"), f.getOriginalMessage());
        assertTrue(fake.preflighted.isEmpty());
    }
}
