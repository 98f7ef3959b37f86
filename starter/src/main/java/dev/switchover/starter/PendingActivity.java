package dev.switchover.starter;

import com.google.protobuf.Timestamp;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import java.time.Duration;
import java.time.Instant;

/**
 * One activity the migration is running or retrying, as Temporal's DescribeWorkflowExecution
 * reports it: the only place a failing attempt shows before the retry policy gives up, since the
 * workflow hears of the failure only then. Times are null where the server did not record them;
 * {@code maximumAttempts} 0 means no limit but {@code expirationTime}.
 */
record PendingActivity(
        String activityType,
        String activityId,
        String state,
        int attempt,
        int maximumAttempts,
        Instant scheduledTime,
        Instant lastStartedTime,
        Instant lastHeartbeatTime,
        Instant lastAttemptCompleteTime,
        Instant nextAttemptScheduleTime,
        Duration currentRetryInterval,
        Instant expirationTime,
        LastFailure lastFailure,
        String lastWorkerIdentity) {

    /** The previous attempt's failure: its message and type, and those of its innermost cause. */
    record LastFailure(String message, String type, String innermostMessage, String innermostType) {
        static LastFailure from(Failure f) {
            Failure inner = f;
            while (inner.hasCause()) inner = inner.getCause();
            return new LastFailure(f.getMessage(), type(f), inner.getMessage(), type(inner));
        }

        /** "outer: innermost", the innermost left out when the outer already says it. */
        String text() {
            String outer = message.isBlank() ? simpleName(type) : message;
            if (innermostMessage.isBlank() && innermostType.equals(type)) return outer;
            String inner = innermostMessage.isBlank() ? simpleName(innermostType) : innermostMessage;
            return outer.contains(inner) ? outer : outer + ": " + inner;
        }

        /** The exception class for a Java failure, else the kind of failure Temporal recorded. */
        private static String type(Failure f) {
            if (f.hasApplicationFailureInfo()
                    && !f.getApplicationFailureInfo().getType().isBlank()) {
                return f.getApplicationFailureInfo().getType();
            }
            if (f.hasTimeoutFailureInfo()) {
                return "timeout ("
                        + f.getTimeoutFailureInfo()
                                .getTimeoutType()
                                .name()
                                .replace("TIMEOUT_TYPE_", "")
                                .toLowerCase() + ")";
            }
            return f.getFailureInfoCase()
                    .name()
                    .toLowerCase()
                    .replace("_failure_info", "")
                    .replace('_', ' ');
        }

        private static String simpleName(String type) {
            return type.substring(type.lastIndexOf('.') + 1);
        }
    }

    static PendingActivity from(PendingActivityInfo a) {
        return new PendingActivity(
                a.getActivityType().getName(),
                a.getActivityId(),
                state(a.getState()),
                a.getAttempt(),
                a.getMaximumAttempts(),
                a.hasScheduledTime() ? instant(a.getScheduledTime()) : null,
                a.hasLastStartedTime() ? instant(a.getLastStartedTime()) : null,
                a.hasLastHeartbeatTime() ? instant(a.getLastHeartbeatTime()) : null,
                a.hasLastAttemptCompleteTime() ? instant(a.getLastAttemptCompleteTime()) : null,
                a.hasNextAttemptScheduleTime() ? instant(a.getNextAttemptScheduleTime()) : null,
                a.hasCurrentRetryInterval()
                        ? Duration.ofSeconds(
                                a.getCurrentRetryInterval().getSeconds(),
                                a.getCurrentRetryInterval().getNanos())
                        : null,
                a.hasExpirationTime() ? instant(a.getExpirationTime()) : null,
                a.hasLastFailure() ? LastFailure.from(a.getLastFailure()) : null,
                a.getLastWorkerIdentity());
    }

    /** An earlier attempt failed: worth the operator's attention even while the step goes on. */
    boolean retrying() {
        return attempt > 1 || lastFailure != null;
    }

    /**
     * The last attempt ended and the next has not started. A real server says SCHEDULED then; the
     * SDK's test server keeps saying STARTED, but its times tell.
     */
    boolean betweenAttempts() {
        if (state.equals("scheduled")) return attempt > 1;
        return lastAttemptCompleteTime != null
                && (lastStartedTime == null || lastAttemptCompleteTime.isAfter(lastStartedTime));
    }

    /** "scheduled", "started", "cancel requested", "paused", "pause requested". */
    private static String state(PendingActivityState s) {
        return s.name().replace("PENDING_ACTIVITY_STATE_", "").toLowerCase().replace('_', ' ');
    }

    /** Proto3 leaves an unset time as the epoch on some servers. */
    private static Instant instant(Timestamp t) {
        return t.getSeconds() == 0 && t.getNanos() == 0 ? null : Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
