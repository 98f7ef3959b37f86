package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.status.StepRecord.Outcome;
import io.temporal.workflow.Workflow;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;

/** Runs the runbook's steps: each recorded, shown in the UI, and its end marked however it ends. */
record Steps(MigrationState state, StatusPublisher publisher) {
    /** The workflow's logger: the worker's log and what reads it know the steps' lines by it. */
    private static final Logger log = Workflow.getLogger(MigrationWorkflowImpl.class);

    /** Runs one step: records it, shows it in the UI, and marks its end however it ends. */
    <T> T run(Phase phase, Supplier<T> action, Function<T, String> describe) {
        return run(phase, action, describe, false);
    }

    /** {@code goesOn}: an earlier run began this step and carried it over; it is not begun again. */
    <T> T run(Phase phase, Supplier<T> action, Function<T, String> describe, boolean goesOn) {
        if (!goesOn) {
            state.begin(phase, now());
            log.info("phase={} started", phase);
        }
        publisher.publish();
        try {
            T result = action.get();
            state.end(Outcome.OK, describe.apply(result), now());
            log.info(
                    "phase={} ok: {}",
                    phase,
                    state.steps.get(state.steps.size() - 1).detail());
            return result;
        } catch (Continuation.Requested longHistory) {
            throw longHistory;
        } catch (RuntimeException e) {
            boolean cancelled = Failures.isCancellation(e);
            state.end(
                    cancelled ? Outcome.CANCELLED : Outcome.FAILED,
                    cancelled ? "cancelled" : Failures.rootMessage(e),
                    now());
            log.warn("phase={} {}: {}", phase, cancelled ? "cancelled" : "failed", Failures.rootMessage(e));
            throw e;
        } finally {
            publisher.publish();
        }
    }
}
