package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.status.StepRecord.Outcome;

/** {@code traffic.type: none}: the operator points the clients; the step after promotion says where. */
record NoTrafficRoute(TrafficCutover cutover) implements TrafficRoute {
    @Override
    public String switchAfterPromotion() {
        cutover.state().begin(Phase.SWITCH_TRAFFIC, now());
        // The webhook alone hears of this instant step: publishDetails was never called here, and what
        // it does beyond the UI's details (a fleet member's report to its parent) must replay as recorded.
        cutover.publisher().announcePhase();
        cutover.state()
                .end(
                        Outcome.OK,
                        "none configured: point clients at "
                                + cutover.spec().target().address(),
                        now());
        return null;
    }
}
