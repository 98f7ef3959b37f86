package dev.switchover.starter;

import dev.switchover.workflows.Continuation;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.StepRecord;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.converter.DataConverter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a running migration has done, read from its history on the server, for when no worker is
 * there to answer the status query: which steps completed, when, and what that means for the two
 * servers right now. The operator at 3 a.m. needs "the source is frozen and refuses writes" more
 * than a stack trace about a missing worker.
 */
final class RecordedProgress {
    /** One completed activity: its type and when it completed. */
    record Done(String type, Instant at) {}

    private final List<Done> done;
    private final Set<String> running;
    private final MigrationSpec spec;

    private RecordedProgress(List<Done> done, Set<String> running, MigrationSpec spec) {
        this.done = done;
        this.running = running;
        this.spec = spec;
    }

    static RecordedProgress of(Iterable<HistoryEvent> events, DataConverter converter) {
        Map<Long, String> scheduled = new HashMap<>();
        Set<String> running = new LinkedHashSet<>();
        List<Done> done = new ArrayList<>();
        MigrationSpec spec = null;
        for (HistoryEvent e : events) {
            if (e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
                Payloads input = e.getWorkflowExecutionStartedEventAttributes().getInput();
                spec = converter.fromPayloads(0, Optional.of(input), MigrationSpec.class, MigrationSpec.class);
                // A run that a long wait continued as new did not run the earlier steps: it carries them.
                Continuation carried = input.getPayloadsCount() < 2
                        ? null
                        : converter.fromPayloads(1, Optional.of(input), Continuation.class, Continuation.class);
                if (carried != null) done.addAll(carriedSteps(carried));
            } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
                String type = e.getActivityTaskScheduledEventAttributes()
                        .getActivityType()
                        .getName();
                scheduled.put(e.getEventId(), type);
                running.add(type);
            } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
                String type = scheduled.get(
                        e.getActivityTaskCompletedEventAttributes().getScheduledEventId());
                running.remove(type);
                Instant at = Instant.ofEpochSecond(
                        e.getEventTime().getSeconds(), e.getEventTime().getNanos());
                if (type != null) done.add(new Done(type, at));
            } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
                    || e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT
                    || e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED) {
                running.remove(scheduled.get(scheduledIdOf(e)));
            }
        }
        running.remove("MeasureLag");
        return new RecordedProgress(done, running, spec);
    }

    /** The activity each carried step completed, as a run that did it would have recorded it. */
    private static List<Done> carriedSteps(Continuation carried) {
        List<Done> out = new ArrayList<>();
        for (StepRecord step : carried.steps()) {
            String type = CARRIED_ACTIVITIES.get(step.phase());
            if (type != null && step.outcome() == StepRecord.Outcome.OK && step.ended() != null) {
                out.add(new Done(type, step.ended()));
            }
        }
        return out;
    }

    private static final Map<Phase, String> CARRIED_ACTIVITIES = Map.of(
            Phase.PREFLIGHT,
            "Preflight",
            Phase.BENCHMARK,
            "BenchmarkTarget",
            Phase.PREPARE_SOURCE,
            "PrepareSource",
            Phase.BASE_COPY,
            "BaseCopy");

    private static long scheduledIdOf(HistoryEvent e) {
        return switch (e.getEventType()) {
            case EVENT_TYPE_ACTIVITY_TASK_FAILED ->
                e.getActivityTaskFailedEventAttributes().getScheduledEventId();
            case EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT ->
                e.getActivityTaskTimedOutEventAttributes().getScheduledEventId();
            default -> e.getActivityTaskCanceledEventAttributes().getScheduledEventId();
        };
    }

    /** The lines the status command prints: the last completed step, the servers' state, what runs. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        Done last = done.stream()
                .filter(d -> !d.type().equals("MeasureLag") && !d.type().equals("NotifyWebhook"))
                .reduce((a, b) -> b)
                .orElse(null);
        out.add("Last step   "
                + (last == null ? "none completed yet" : last.type() + " completed at " + Human.dateTime(last.at())));
        out.add("Servers     " + meaning());
        if (!running.isEmpty())
            out.add("Waiting     " + String.join(", ", running) + " (scheduled; no worker runs it)");
        return out;
    }

    /** The two servers as the completed steps left them. */
    String meaning() {
        String source =
                spec == null ? "the source" : "the source " + spec.source().address();
        String target =
                spec == null ? "the target" : "the target " + spec.target().address();
        Done promoted = last("Promote");
        if (promoted != null) {
            return target + " was promoted at " + when(promoted) + " and is the primary; " + source + " stays fenced";
        }
        Done frozen = last("FreezeWrites");
        Done unfrozen = last("UnfreezeWrites");
        if (frozen != null && (unfrozen == null || unfrozen.at().isBefore(frozen.at()))) {
            return source + " is frozen since " + when(frozen) + " and refuses writes; " + target + " is not promoted"
                    + (last("VerifySync") != null ? " (it holds the source's final position)" : "")
                    + (last("PauseTraffic") != null && last("ResumeTrafficOnSource") == null
                            ? "; PgBouncer holds its clients paused"
                            : "");
        }
        if (unfrozen != null) return source + " takes writes again since " + when(unfrozen) + " (rolled back)";
        if (last("BaseCopy") != null)
            return target + " is a copy streaming from " + source + ", which serves as before";
        if (last("PrepareSource") != null) {
            return source
                    + " serves as before, prepared for replication (its slot or binary log keeps what the copy needs)";
        }
        return source + " serves as before; nothing was changed on it yet";
    }

    private Done last(String type) {
        return done.stream()
                .filter(d -> d.type().equals(type))
                .reduce((a, b) -> b)
                .orElse(null);
    }

    private static String when(Done d) {
        return Human.dateTime(d.at());
    }
}
