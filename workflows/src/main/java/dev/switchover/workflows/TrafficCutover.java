package dev.switchover.workflows;

import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ActivityFailure;
import java.util.function.Supplier;

/**
 * What the {@link TrafficRoute}s act with, and the step after promotion that the routes running
 * an activity for it share: recorded as SWITCH_TRAFFIC, its failure told to the operator.
 */
record TrafficCutover(
        MigrationState state,
        MigrationSpec spec,
        MigrationActivities activities,
        Steps steps,
        StatusPublisher publisher,
        StepResults results) {

    /**
     * Runs {@code action} as the switch after promotion. Returns what went wrong, ending with the
     * route's {@code advice}, or null.
     */
    String switchStep(Supplier<TrafficSwitchResult> action, Supplier<String> advice) {
        try {
            results.traffic = steps.run(Phase.SWITCH_TRAFFIC, action, t -> t.method() + ": " + t.detail());
            return null;
        } catch (ActivityFailure f) {
            return "the target " + spec.target().address() + " is the primary, but switching traffic failed: "
                    + Failures.rootMessage(f) + ". Point clients at "
                    + spec.target().address() + " by hand" + advice.get();
        }
    }
}
