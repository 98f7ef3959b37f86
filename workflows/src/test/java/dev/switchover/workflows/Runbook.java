package dev.switchover.workflows;

import java.util.List;

/**
 * The runbook's phases as the tests expect them, for the workflow's own tests and (through the
 * test-jar) the worker's. Written out by hand, deliberately not derived from {@link Phase}'s order,
 * so a workflow that reorders its phases fails the tests instead of changing what they expect.
 */
public final class Runbook {
    /** Every phase a migration that succeeds goes through, in order, ending in DONE. */
    public static final List<Phase> HAPPY_PATH = List.of(
            Phase.PREFLIGHT,
            Phase.BENCHMARK,
            Phase.PREPARE_SOURCE,
            Phase.BASE_COPY,
            Phase.CATCH_UP,
            Phase.AWAIT_CUTOVER,
            Phase.FREEZE_WRITES,
            Phase.VERIFY_SYNC,
            Phase.PROMOTE,
            Phase.SWITCH_TRAFFIC,
            Phase.POST_PROMOTION,
            Phase.DONE);

    /** The steps such a migration records: the happy path without DONE, which is where it ends, not a step. */
    public static final List<Phase> HAPPY_PATH_STEPS = HAPPY_PATH.subList(0, HAPPY_PATH.size() - 1);

    private Runbook() {}
}
