package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.api.common.v1.ActivityType;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.failure.v1.ApplicationFailureInfo;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pending activities from hand-built describe responses, shaped as a real Temporal server fills
 * them: the SDK's test server leaves out the next attempt's time and the retry interval, and keeps
 * an activity STARTED while it backs off.
 */
class PendingActivitiesTest {
    private static final Instant NOW = Instant.parse("2026-03-01T03:00:00Z");

    private static Timestamp at(Instant i) {
        return Timestamp.newBuilder()
                .setSeconds(i.getEpochSecond())
                .setNanos(i.getNano())
                .build();
    }

    private static Failure failure(String message, String type, Failure cause) {
        Failure.Builder f = Failure.newBuilder()
                .setMessage(message)
                .setSource("JavaSDK")
                .setApplicationFailureInfo(ApplicationFailureInfo.newBuilder().setType(type));
        if (cause != null) f.setCause(cause);
        return f.build();
    }

    private static final Failure ENCRYPTION = failure(
            "PostgreSQL postgres@" + LabHost.SRC.address() + ":5432 (source): cannot connect",
            "java.lang.RuntimeException",
            failure("Unable to determine encryption type", "org.postgresql.util.PSQLException", null));

    /** PrepareSource backing off before its fourth attempt, as a real server reports it. */
    private static PendingActivityInfo.Builder backingOff() {
        return PendingActivityInfo.newBuilder()
                .setActivityId("5")
                .setActivityType(ActivityType.newBuilder().setName("PrepareSource"))
                .setState(PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED)
                .setAttempt(4)
                .setScheduledTime(at(NOW.minusSeconds(20)))
                .setLastStartedTime(at(NOW.minusSeconds(1)))
                .setLastAttemptCompleteTime(at(NOW))
                .setNextAttemptScheduleTime(at(NOW.plusSeconds(8)))
                .setCurrentRetryInterval(
                        com.google.protobuf.Duration.newBuilder().setSeconds(8))
                .setExpirationTime(at(NOW.plus(Duration.ofHours(2))))
                .setLastFailure(ENCRYPTION)
                .setLastWorkerIdentity("4242@worker-1");
    }

    private static List<PendingActivity> described(PendingActivityInfo.Builder... activities) {
        DescribeWorkflowExecutionResponse.Builder r = DescribeWorkflowExecutionResponse.newBuilder();
        for (PendingActivityInfo.Builder a : activities) r.addPendingActivities(a);
        return PendingActivities.from(r.build());
    }

    @Test
    void retryingStepShowsAttemptBackoffDeadlineAndTheInnermostError() {
        PendingActivity a = described(backingOff()).get(0);
        assertEquals(
                "PrepareSource  attempt 4  retrying in 8s  gives up at " + Human.clock(NOW.plus(Duration.ofHours(2)))
                        + "  last error: PostgreSQL postgres@" + LabHost.SRC.address()
                        + ":5432 (source): cannot connect: Unable to determine encryption type",
                PendingActivities.line(a, NOW));
    }

    @Test
    void innermostMessageNotRepeatedWhenTheOuterAlreadySaysIt() {
        Failure wrapped = failure(
                "PostgreSQL postgres@" + LabHost.SRC.address() + ":5432 (source): Unable to determine encryption type",
                "java.lang.RuntimeException",
                failure("Unable to determine encryption type", "org.postgresql.util.PSQLException", null));
        PendingActivity a = described(backingOff().setLastFailure(wrapped)).get(0);
        assertTrue(
                PendingActivities.line(a, NOW)
                        .endsWith("last error: PostgreSQL postgres@" + LabHost.SRC.address()
                                + ":5432 (source): Unable to determine encryption type"),
                PendingActivities.line(a, NOW));
    }

    @Test
    void bugWithoutMessageNamedByItsExceptionType() {
        Failure npe = failure("", "java.lang.NullPointerException", null);
        PendingActivity a = described(backingOff().setLastFailure(npe)).get(0);
        assertTrue(
                PendingActivities.line(a, NOW).endsWith("last error: NullPointerException"),
                PendingActivities.line(a, NOW));
    }

    @Test
    void multiLineErrorShownOnOneLine() {
        Failure psql =
                failure("ERROR:  permission denied\nHINT:  ask a superuser\n", "java.lang.RuntimeException", null);
        PendingActivity a = described(backingOff().setLastFailure(psql)).get(0);
        assertTrue(
                PendingActivities.line(a, NOW)
                        .endsWith("last error: ERROR:  permission denied | HINT:  ask a superuser"),
                PendingActivities.line(a, NOW));
    }

    @Test
    void firstAttemptRunningShowsNeitherAttemptNorError() {
        PendingActivity a = described(PendingActivityInfo.newBuilder()
                        .setActivityId("9")
                        .setActivityType(ActivityType.newBuilder().setName("BaseCopy"))
                        .setState(PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)
                        .setAttempt(1)
                        .setLastStartedTime(at(NOW.minusSeconds(125)))
                        .setLastHeartbeatTime(at(NOW.minusSeconds(5))))
                .get(0);
        assertFalse(a.retrying());
        assertEquals("BaseCopy  running for 2m5s, last heartbeat 5s ago", PendingActivities.line(a, NOW));
    }

    @Test
    void firstAttemptNobodyPickedUpSaysItWaitsForAWorker() {
        PendingActivity a = described(PendingActivityInfo.newBuilder()
                        .setActivityId("3")
                        .setActivityType(ActivityType.newBuilder().setName("Preflight"))
                        .setState(PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED)
                        .setAttempt(1)
                        .setScheduledTime(at(NOW.minusSeconds(40))))
                .get(0);
        assertEquals("Preflight  waiting for a worker for 40s", PendingActivities.line(a, NOW));
    }

    @Test
    void retryDueButNotPickedUpSaysItWaitsForAWorker() {
        PendingActivity a = described(backingOff().setNextAttemptScheduleTime(at(NOW.minusSeconds(30))))
                .get(0);
        assertTrue(
                PendingActivities.line(a, NOW).contains("  attempt 4  waiting for a worker for 30s  "),
                PendingActivities.line(a, NOW));
    }

    @Test
    void testServerShapeBetweenAttemptsSaysWaitingToRetry() {
        PendingActivity a = described(backingOff()
                        .setState(PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)
                        .setAttempt(3)
                        .setMaximumAttempts(10)
                        .clearNextAttemptScheduleTime()
                        .clearCurrentRetryInterval()
                        .clearExpirationTime())
                .get(0);
        assertTrue(a.betweenAttempts());
        assertTrue(
                PendingActivities.line(a, NOW)
                        .startsWith("PrepareSource  attempt 3 of 10  waiting to retry  last error: "),
                PendingActivities.line(a, NOW));
    }

    @Test
    void statusScreenShowsRunningNowUnderThePhase() {
        MigrationStatus s = new StatusFixture()
                .hosts(LabHost.SRC.address(), LabHost.DST.address())
                .phase(Phase.PREPARE_SOURCE)
                .build();
        String screen = StatusTable.render("switchover-orders", s, described(backingOff()), NOW);
        assertTrue(screen.contains("\nRunning now  PrepareSource  attempt 4  retrying in 8s"), screen);
        assertTrue(screen.indexOf("Phase") < screen.indexOf("Running now"), screen);
        assertFalse(StatusTable.render("switchover-orders", s, List.of(), NOW).contains("Running now"));
    }

    @Test
    void jsonCarriesEveryFieldWithIsoTimes() throws Exception {
        JsonNode a = Json.tree(described(backingOff())).get(0);
        assertEquals("PrepareSource", a.get("activityType").asText());
        assertEquals("scheduled", a.get("state").asText());
        assertEquals(4, a.get("attempt").asInt());
        assertEquals(
                NOW.plusSeconds(8).toString(), a.get("nextAttemptScheduleTime").asText());
        assertEquals("8s", a.get("currentRetryInterval").asText());
        assertEquals(
                "Unable to determine encryption type",
                a.get("lastFailure").get("innermostMessage").asText());
        assertEquals(
                "org.postgresql.util.PSQLException",
                a.get("lastFailure").get("innermostType").asText());
        assertEquals("4242@worker-1", a.get("lastWorkerIdentity").asText());
    }

    @Test
    void followerSaysEachAttemptOnce() {
        RetryWatch watch = new RetryWatch();
        PendingActivityInfo.Builder first = backingOff().setAttempt(1).clearLastFailure();
        assertEquals(List.of(), watch.newAttempts(described(first)), "a first attempt is no news");
        assertEquals(1, watch.newAttempts(described(backingOff().setAttempt(2))).size());
        assertEquals(List.of(), watch.newAttempts(described(backingOff().setAttempt(2))), "same attempt, next poll");
        assertEquals(
                1, watch.newAttempts(described(backingOff().setAttempt(4))).size(), "a missed attempt does not matter");
        assertEquals(List.of(), watch.newAttempts(described()), "the step ended");
    }
}
