package dev.switchover.starter;

import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What Temporal knows about the migration's running activities, for {@code status} and
 * {@code start --wait}: an activity failing on every attempt is retried with backoff while the
 * workflow's own status still only names the phase.
 */
final class PendingActivities {
    /** Enough for a driver's error with its host; {@code --json} carries the whole text. */
    private static final int ERROR_CHARS = 300;

    /** Beyond this an expiration is shown with its date, not just the time of day. */
    private static final Duration SAME_DAY = Duration.ofHours(20);

    private PendingActivities() {}

    static List<PendingActivity> from(DescribeWorkflowExecutionResponse described) {
        return described.getPendingActivitiesList().stream()
                .map(PendingActivity::from)
                .toList();
    }

    /** Asks the server afresh; describe answers without a worker, unlike the status query. */
    static List<PendingActivity> describe(WorkflowStub stub) {
        return from(stub.describe().getRawDescription());
    }

    /**
     * "PrepareSource  attempt 4  retrying in 8s  gives up at 05:12:00  last error: ...". The
     * attempt and error only once an attempt has failed: a first attempt running is no news.
     */
    static String line(PendingActivity a, Instant now) {
        List<String> parts = new ArrayList<>();
        parts.add(a.activityType());
        if (a.retrying()) {
            parts.add("attempt " + a.attempt() + (a.maximumAttempts() > 0 ? " of " + a.maximumAttempts() : ""));
        }
        parts.add(doing(a, now));
        if (a.retrying() && a.expirationTime() != null) parts.add("gives up at " + when(a.expirationTime(), now));
        if (a.lastFailure() != null)
            parts.add("last error: " + oneLine(a.lastFailure().text()));
        return String.join("  ", parts);
    }

    private static String doing(PendingActivity a, Instant now) {
        switch (a.state()) {
            case "cancel requested":
                return "cancelling";
            case "paused":
                return "paused in Temporal (unpause it in the Temporal UI or CLI)";
            case "pause requested":
                return "pausing";
            default:
                break;
        }
        if (a.betweenAttempts()) {
            Instant next = a.nextAttemptScheduleTime();
            if (next == null && a.lastAttemptCompleteTime() != null && a.currentRetryInterval() != null) {
                next = a.lastAttemptCompleteTime().plus(a.currentRetryInterval());
            }
            if (next == null) return "waiting to retry";
            if (next.isAfter(now)) return "retrying in " + Human.duration(Duration.between(now, next));
            return "waiting for a worker for " + Human.duration(Duration.between(next, now));
        }
        if (a.state().equals("scheduled")) {
            return "waiting for a worker"
                    + (a.scheduledTime() == null
                            ? ""
                            : " for " + Human.duration(Duration.between(a.scheduledTime(), now)));
        }
        StringBuilder b = new StringBuilder("running");
        if (a.lastStartedTime() != null)
            b.append(" for ").append(Human.duration(Duration.between(a.lastStartedTime(), now)));
        // Some servers stamp the start as a heartbeat; only a later one says the attempt is alive.
        if (a.lastHeartbeatTime() != null
                && a.lastStartedTime() != null
                && a.lastHeartbeatTime().isAfter(a.lastStartedTime())) {
            b.append(", last heartbeat ")
                    .append(Human.duration(Duration.between(a.lastHeartbeatTime(), now)))
                    .append(" ago");
        }
        return b.toString();
    }

    private static String when(Instant at, Instant now) {
        return Duration.between(now, at).abs().compareTo(SAME_DAY) < 0 ? Human.clock(at) : Human.dateTime(at);
    }

    /** A multi-line driver error on one line, cut to {@link #ERROR_CHARS}. */
    private static String oneLine(String text) {
        String flat = Human.localTimes(text.strip().replaceAll("\\s*\\R\\s*", " | "));
        return flat.length() <= ERROR_CHARS ? flat : flat.substring(0, ERROR_CHARS - 1) + "…";
    }
}
