package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * How the waits (the base copy's watch, the catch-up, the gate) poll: how often, when the run
 * continues as new instead, and how they hold while an operator has paused the migration.
 */
final class Polling {
    /**
     * A wait (catch-up, the gate, a pause there) that has written this many events continues as
     * new: far below Temporal's 51,200-event limit, and short enough that a worker taking the
     * migration over replays it in moments. At a 2 s poll that is about every ten minutes.
     */
    static final int CONTINUE_AS_NEW_AT = 2_000;

    /**
     * Past this many events, polls slow down: what kept a long wait within history limits before
     * runs continued as new at {@link #CONTINUE_AS_NEW_AT}; kept for migrations recorded before.
     */
    private static final int HISTORY_SLOWDOWN_AT = 20_000;

    private final MigrationState state;
    private final MigrationSpec spec;
    private final StatusPublisher publisher;
    private final LagSampler lag;
    /** Null until the history first grows past {@link #CONTINUE_AS_NEW_AT}; then whether this code may continue as new. */
    private Boolean mayContinueAsNew;

    Polling(MigrationState state, MigrationSpec spec, StatusPublisher publisher, LagSampler lag) {
        this.state = state;
        this.spec = spec;
        this.publisher = publisher;
        this.lag = lag;
    }

    /** Polls slow down as the history grows so a days-long wait stays inside Temporal's limits. */
    Duration interval() {
        Duration base = spec.catchUp().pollEvery();
        long events = Workflow.getInfo().getHistoryLength();
        return events < HISTORY_SLOWDOWN_AT
                ? base
                : base.multipliedBy(Math.min(60, 1 + events / HISTORY_SLOWDOWN_AT * 6));
    }

    /**
     * Called by the waits between their polls: past {@link #CONTINUE_AS_NEW_AT} events the run ends
     * and the next goes on where this one is. Versioned: a history recorded before keeps polling.
     */
    void continueAsNewIfLong() {
        if (Workflow.getInfo().getHistoryLength() < CONTINUE_AS_NEW_AT) return;
        if (mayContinueAsNew == null) {
            mayContinueAsNew = Workflow.getVersion("continue-as-new-while-waiting", Workflow.DEFAULT_VERSION, 1) == 1;
        }
        if (mayContinueAsNew) throw new Continuation.Requested();
    }

    /** While paused, nothing moves; time paused in catch-up moves its deadline, as documented. */
    void waitWhilePaused(boolean extendsDeadline) {
        if (!state.paused) return;
        // A pause that a continued run carries over began in an earlier run.
        Instant pausedAt = extendsDeadline && state.deadlineHeldSince != null ? state.deadlineHeldSince : now();
        if (extendsDeadline) state.deadlineHeldSince = pausedAt;
        // Lag is still sampled so status stays live while paused.
        while (state.paused) {
            state.waitingFor = "paused by " + state.pausedBy + "; `./switchover resume` to continue ("
                    + Lag.describe(state.lag) + ")";
            publisher.publish();
            if (!Workflow.await(interval(), () -> !state.paused)) lag.sample();
            continueAsNewIfLong();
        }
        if (extendsDeadline) {
            state.catchUpDeadline = state.catchUpDeadline.plus(Duration.between(pausedAt, now()));
            state.deadlineHeldSince = null;
        }
    }
}
