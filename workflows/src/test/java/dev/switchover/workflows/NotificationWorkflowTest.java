package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.activities.Notification;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.NotificationsSpec;
import dev.switchover.workflows.spec.WebhookSpec;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook's events as the workflow sends them: in order, complete, and never in the migration's way. */
class NotificationWorkflowTest {

    private TestWorkflowEnvironment env;
    private FakeActivities fake;
    private FakeNotifications webhook;
    private WorkflowClient client;

    @BeforeEach
    void setUp() {
        env = TestWorkflowEnvironment.newInstance();
        fake = new FakeActivities();
        webhook = new FakeNotifications();
        Worker worker = env.newWorker(SwitchoverQueues.TASK_QUEUE);
        worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
        worker.registerActivitiesImplementations(fake, webhook);
        client = env.getWorkflowClient();
        env.start();
    }

    @AfterEach
    void tearDown() {
        env.close();
    }

    static MigrationSpec withWebhook(MigrationSpec s) {
        return new MigrationSpec(
                s.name(),
                s.engine(),
                s.source(),
                s.target(),
                s.replication(),
                s.benchmark(),
                s.catchUp(),
                s.cutover(),
                s.traffic(),
                s.backup(),
                s.report(),
                new NotificationsSpec(new WebhookSpec("env:SWITCHOVER_WEBHOOK_URL", "env:SWITCHOVER_WEBHOOK_AUTH")));
    }

    private MigrationWorkflow start(MigrationSpec spec) {
        MigrationWorkflow wf = MigrationLaunch.start(client, spec);
        return wf;
    }

    private void until(BooleanSupplier condition) {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) env.sleep(Duration.ofSeconds(2));
        assertTrue(condition.getAsBoolean(), "never happened; the webhook saw " + webhook.attempts);
    }

    private static MigrationResult result(MigrationWorkflow wf) {
        return WorkflowStub.fromTyped(wf).getResult(MigrationResult.class);
    }

    private static List<Phase> phasesAnnounced(List<Notification> events) {
        return events.stream()
                .filter(e -> e.event().equals(Notification.PHASE_CHANGED))
                .map(Notification::phase)
                .toList();
    }

    private static void assertNumberedFromOne(List<Notification> events) {
        assertEquals(
                IntStream.rangeClosed(1, events.size()).boxed().toList(),
                events.stream().map(Notification::sequence).toList(),
                "contiguous and in order: " + events);
    }

    private int indexOf(List<Notification> events, String event, Phase phase) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).event().equals(event)
                    && (phase == null || events.get(i).phase() == phase)) return i;
        }
        throw new AssertionError("no " + event + " " + phase + " in " + events);
    }

    @Test
    void manualMigrationAnnouncesEveryPhaseInRunbookOrderAndTheAwaitedApprovalOnce() {
        MigrationWorkflow wf = start(withWebhook(TestSpecs.spec(CutoverMode.MANUAL)));
        until(() -> webhook.attempts.stream().anyMatch(e -> e.event().equals(Notification.APPROVAL_AWAITED)));
        // Hours of polling for an approval are still one approval_awaited.
        env.sleep(Duration.ofHours(3));
        wf.approveCutover(new Approval("alice", "CHG-1"));
        MigrationResult r = result(wf);

        assertEquals(Phase.DONE, r.status().phase());
        List<Notification> events = webhook.attempts;
        assertNumberedFromOne(events);
        assertEquals(Runbook.HAPPY_PATH, phasesAnnounced(events));
        assertEquals(
                1,
                events.stream()
                        .filter(e -> e.event().equals(Notification.APPROVAL_AWAITED))
                        .count(),
                "" + events);
        int awaited = indexOf(events, Notification.APPROVAL_AWAITED, null);
        assertTrue(
                indexOf(events, Notification.PHASE_CHANGED, Phase.AWAIT_CUTOVER) < awaited
                        && awaited < indexOf(events, Notification.PHASE_CHANGED, Phase.FREEZE_WRITES),
                "" + events);
        Notification approval = events.get(awaited);
        assertEquals(Phase.AWAIT_CUTOVER, approval.phase());
        assertTrue(approval.message().contains("./switchover approve switchover-orders"), approval.message());

        Notification promote = events.get(indexOf(events, Notification.PHASE_CHANGED, Phase.PROMOTE));
        assertEquals(Phase.VERIFY_SYNC, promote.previousPhase());
        assertEquals(Phase.PROMOTE.description(), promote.message());
        for (Notification e : events) {
            assertEquals("orders", e.migration());
            assertEquals("switchover-orders", e.workflowId());
            assertEquals("198.18.0.11", e.source());
            assertEquals("198.18.0.12", e.target());
            Instant.parse(e.at());
        }
        assertTrue(Instant.parse(events.get(0).at())
                .isBefore(Instant.parse(events.get(events.size() - 1).at())));
    }

    @Test
    void failureAtTheBenchmarkFloorIsAnnouncedAfterTheFailedPhase() {
        fake.iops = 2_000;
        MigrationWorkflow wf = start(withWebhook(TestSpecs.spec(CutoverMode.AUTOMATIC)));
        WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> result(wf));
        assertEquals(
                Failures.IOPS_BELOW_FLOOR,
                assertInstanceOf(ApplicationFailure.class, e.getCause()).getType());

        List<Notification> events = webhook.attempts;
        assertNumberedFromOne(events);
        assertEquals(
                List.of(Phase.PREFLIGHT, Phase.BENCHMARK, Phase.ROLLING_BACK, Phase.FAILED), phasesAnnounced(events));
        Notification last = events.get(events.size() - 1);
        assertEquals(Notification.FAILED, last.event());
        assertEquals(Phase.FAILED, last.phase());
        assertTrue(
                last.message().contains("2000 write IOPS")
                        && last.message().contains("the source 198.18.0.11 is still the primary"),
                last.message());
    }

    @Test
    void aPromotionThatMayHaveHappenedIsAnnouncedAsAFailureWithWhatToDoByHand() {
        fake.on("promote", () -> {
            throw Failures.fatal("PromoteTimedOut", "pg_promote() did not answer within 60 s");
        });
        MigrationWorkflow wf = start(withWebhook(TestSpecs.spec(CutoverMode.AUTOMATIC)));
        assertThrows(WorkflowFailedException.class, () -> result(wf));

        List<Notification> events = webhook.attempts;
        assertNumberedFromOne(events);
        List<Phase> phases = phasesAnnounced(events);
        assertEquals(List.of(Phase.PROMOTE, Phase.FAILED), phases.subList(phases.size() - 2, phases.size()));
        Notification last = events.get(events.size() - 1);
        assertEquals(Notification.FAILED, last.event());
        assertTrue(
                last.message().contains("promotion of 198.18.0.12 did not complete: pg_promote() did not answer"),
                last.message());
    }

    @Test
    void aTrafficSwitchThatFailsAfterPromotionIsAnnouncedAfterDone() {
        fake.on("resumeTraffic", () -> {
            throw Failures.fatal(Failures.WRONG_HOST, "PgBouncer routes orders to 198.18.0.99:5432");
        });
        MigrationWorkflow wf = start(withWebhook(TestSpecs.withPgBouncer(TestSpecs.spec(CutoverMode.AUTOMATIC))));
        assertThrows(WorkflowFailedException.class, () -> result(wf));

        List<Notification> events = webhook.attempts;
        assertNumberedFromOne(events);
        assertEquals(Runbook.HAPPY_PATH, phasesAnnounced(events));
        Notification last = events.get(events.size() - 1);
        assertEquals(Notification.FAILED, last.event());
        assertEquals(Phase.DONE, last.phase());
        assertTrue(last.message().contains("is the primary, but switching traffic failed"), last.message());
    }

    @Test
    void anAbortIsAnnouncedAsAbortedNotAsAFailure() {
        MigrationWorkflow wf = start(withWebhook(TestSpecs.spec(CutoverMode.MANUAL)));
        until(() -> webhook.attempts.stream().anyMatch(e -> e.event().equals(Notification.APPROVAL_AWAITED)));
        wf.abort(new AbortRequest("carol", "change window closed"));
        assertThrows(WorkflowFailedException.class, () -> result(wf));

        List<Notification> events = webhook.attempts;
        assertNumberedFromOne(events);
        List<Phase> phases = phasesAnnounced(events);
        assertEquals(List.of(Phase.ROLLING_BACK, Phase.ABORTED), phases.subList(phases.size() - 2, phases.size()));
        assertTrue(events.stream().noneMatch(n -> n.event().equals(Notification.FAILED)), "" + events);
    }

    @Test
    void aWebhookThatNeverAnswersNeitherFailsNorDelaysTheMigration() {
        webhook.answer = () -> {
            throw new IllegalStateException("connection refused");
        };
        MigrationResult r = result(start(withWebhook(TestSpecs.spec(CutoverMode.AUTOMATIC))));

        assertEquals(Phase.DONE, r.status().phase());
        List<StepRecord> steps = r.status().steps();
        // Each event is retried for 15 minutes: had the migration waited, its dozen events would take hours.
        Duration ran = Duration.between(
                steps.get(0).started(), steps.get(steps.size() - 1).ended());
        assertTrue(ran.compareTo(Duration.ofMinutes(10)) < 0, "the steps took " + ran);
        String dropped = r.status().notes().stream()
                .filter(n -> n.contains("webhook event(s) not delivered within 2" + " minutes"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no note in " + r.status().notes()));
        Instant notedAt = Instant.parse(dropped.substring(0, dropped.indexOf(' ')));
        Duration flush = Duration.between(steps.get(steps.size() - 1).ended(), notedAt);
        assertTrue(flush.compareTo(Duration.ofMinutes(3)) < 0, "the end waited " + flush);
        assertTrue(
                webhook.attempts.size() > 1 && webhook.attempts.stream().allMatch(e -> e.sequence() == 1),
                "the first event retried, the next ones waiting behind it: " + webhook.attempts);
    }

    @Test
    void anEventTheWebhookRefusesIsNotedAndTheNextOneGoes() {
        webhook.answer = () -> {
            throw ApplicationFailure.newNonRetryableFailure(
                    "the webhook at hooks.example.com answered 404", Failures.WEBHOOK_REJECTED);
        };
        MigrationResult r = result(start(withWebhook(TestSpecs.spec(CutoverMode.AUTOMATIC))));

        assertEquals(Phase.DONE, r.status().phase());
        assertNumberedFromOne(webhook.attempts);
        assertEquals(Runbook.HAPPY_PATH, phasesAnnounced(webhook.attempts));
        long noted = r.status().notes().stream()
                .filter(n -> n.contains("was not delivered: the webhook at hooks.example.com answered 404"))
                .count();
        assertEquals(
                webhook.attempts.size(),
                noted,
                "one note per event: " + r.status().notes());
    }

    @Test
    void aMigrationWithoutNotificationsCallsNoWebhook() {
        MigrationResult r = result(start(TestSpecs.spec(CutoverMode.AUTOMATIC)));
        assertEquals(Phase.DONE, r.status().phase());
        assertEquals(List.of(), webhook.attempts);
    }

    @Test
    void statusDuringTheMigrationIsUnchangedByNotifications() {
        MigrationWorkflow wf = start(withWebhook(TestSpecs.spec(CutoverMode.MANUAL)));
        until(() -> wf.status().phase() == Phase.AWAIT_CUTOVER);
        MigrationStatus s = wf.status();
        assertTrue(s.waitingFor().startsWith("approval"), s.waitingFor());
        assertEquals(List.of(), s.notes());
    }
}
