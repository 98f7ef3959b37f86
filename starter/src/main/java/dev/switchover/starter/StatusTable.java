package dev.switchover.starter;

import dev.switchover.workflows.Approval;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** The status screen: a header of facts, what runs now, the step table and the notes. */
final class StatusTable {
    private StatusTable() {}

    static String render(String workflowId, MigrationStatus s, Instant now) {
        return render(workflowId, s, List.of(), now);
    }

    /** With the activities Temporal reports pending, one line each under "Running now". */
    static String render(String workflowId, MigrationStatus s, List<PendingActivity> pending, Instant now) {
        StringBuilder b = new StringBuilder();
        List<List<String>> head = new ArrayList<>();
        String engine = s.engine() == null ? "" : " (" + s.engine() + ")";
        head.add(row("Migration", Human.nullToEmpty(s.migration()) + engine + "  [" + workflowId + "]"));
        if (s.source() != null) head.add(row("Source", s.source() + "  →  target " + s.target()));
        head.add(row(
                "Phase",
                s.phase() + " — " + s.phase().description()
                        + (s.paused() && !s.phase().isTerminal() ? "  (PAUSED)" : "")));
        if (s.waitingFor() != null && !s.waitingFor().isBlank())
            head.add(row("Waiting for", Human.localTimes(s.waitingFor())));
        for (int i = 0; i < pending.size(); i++) {
            head.add(row(i == 0 ? "Running now" : "", PendingActivities.line(pending.get(i), now)));
        }
        head.add(row("Lag", lag(s.lag(), s.inSyncFor())));
        if (s.catchUpDeadline() != null && !s.phase().isTerminal()) {
            head.add(row(
                    "Catch-up",
                    (s.catchUp() == null ? "" : Human.localTimes(s.catchUp().summary()) + "; ") + "gives up at "
                            + Human.dateTime(s.catchUpDeadline())));
        }
        // While it runs: after the copy, its step line says what it did.
        if (s.copy() != null && s.phase() == Phase.BASE_COPY) head.add(row("Base copy", Human.copy(s.copy())));
        head.add(row("Approval", approval(s.approval(), s.approvedAt())));
        if (s.failure() != null && !s.failure().isBlank()) head.add(row("Failure", Human.localTimes(s.failure())));
        for (List<String> r : head)
            b.append(String.format("%-13s", r.get(0))).append(r.get(1)).append('\n');

        b.append('\n').append("Steps (times in ").append(Human.zone()).append(")\n");
        if (s.steps() == null || s.steps().isEmpty()) {
            b.append("  none yet\n");
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (StepRecord step : s.steps()) rows.add(stepRow(step, now));
            b.append(Human.table(List.of("PHASE", "STARTED", "ENDED", "TOOK", "OUTCOME", "DETAIL"), rows));
        }
        if (s.notes() != null && !s.notes().isEmpty()) {
            b.append('\n').append("Notes\n");
            for (String note : s.notes()) b.append("  ").append(note(note)).append('\n');
        }
        return b.toString();
    }

    private static List<String> row(String label, String value) {
        return List.of(label, value);
    }

    private static String lag(LagSample lag, Duration inSyncFor) {
        if (lag == null) return "not measured yet";
        StringBuilder b = new StringBuilder(Human.lag(lag));
        if (lag.streaming() && lag.state() != null) b.append(", ").append(lag.state());
        b.append(inSyncFor == null ? "; not in sync" : "; in sync for " + Human.duration(inSyncFor));
        if (lag.sourcePosition() != null) {
            b.append("  (source at ")
                    .append(lag.sourcePosition())
                    .append(", target at ")
                    .append(lag.targetPosition())
                    .append(')');
        }
        return b.toString();
    }

    private static String approval(Approval a, Instant at) {
        if (a == null) return "none";
        boolean noComment = a.comment() == null || a.comment().isBlank();
        return "by " + a.approver() + " at " + Human.dateTime(at) + (noComment ? "" : ": " + a.comment());
    }

    static List<String> stepRow(StepRecord step, Instant now) {
        Duration took = step.started() == null
                ? null
                : Duration.between(step.started(), step.ended() == null ? now : step.ended());
        String tookText = took == null ? "" : Human.duration(took) + (step.ended() == null ? " so far" : "");
        return List.of(
                step.phase().name(),
                Human.clock(step.started()),
                Human.clock(step.ended()),
                tookText,
                step.outcome() == null ? "" : step.outcome().name(),
                Human.localTimes(step.detail()));
    }

    /** The workflow writes notes as "INSTANT text"; shown with the instant in local time. */
    static String note(String note) {
        int space = note.indexOf(' ');
        if (space > 0) {
            try {
                Instant at = Instant.parse(note.substring(0, space));
                return Human.dateTime(at) + "  " + Human.localTimes(note.substring(space + 1));
            } catch (DateTimeParseException notATimestamp) {
                // shown as written
            }
        }
        return note;
    }

    /** A note without its timestamp, for progress lines that carry their own time. */
    static String noteText(String note) {
        int space = note.indexOf(' ');
        if (space > 0) {
            try {
                Instant.parse(note.substring(0, space));
                return note.substring(space + 1);
            } catch (DateTimeParseException notATimestamp) {
                // shown as written
            }
        }
        return note;
    }
}
