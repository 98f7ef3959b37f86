package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.spec.CatchUpSpec;
import dev.switchover.workflows.spec.DurationText;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.CatchUpProgress;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** The catch-up: the target replays what the source wrote since the copy, until its lag stays low. */
record CatchUp(MigrationState state, MigrationSpec spec, StatusPublisher publisher, LagSampler lag, Polling polling) {

    /** Samples lag until it has stayed under the thresholds for holdFor, or the deadline passes. */
    void run() {
        CatchUpSpec c = spec.catchUp();
        // A continued run keeps the deadline its first run set.
        if (state.catchUpDeadline == null) state.catchUpDeadline = now().plus(c.deadline());
        while (true) {
            polling.waitWhilePaused(true);
            lag.sample();
            if (state.inSync(c) && Duration.between(state.inSyncSince, now()).compareTo(c.holdFor()) >= 0) return;
            if (!now().isBefore(state.catchUpDeadline)) {
                throw Failures.fatal(
                        Failures.CATCH_UP_DEADLINE,
                        "the target did not catch up within "
                                + DurationText.format(c.deadline()) + " (" + Lag.describe(state.lag) + "; needed "
                                + Lag.bytes(c.maxLagBytes()) + " / " + c.maxLagSeconds() + " s for "
                                + DurationText.format(c.holdFor())
                                + "). The source is untouched and serving. Check the target's disk and network and the source's"
                                + " write rate, then start the migration again.");
            }
            CatchUpProgress progress = state.catchUpProgress(spec);
            state.waitingFor = (state.inSync(c)
                            ? "in sync; holding for " + DurationText.format(c.holdFor())
                            : Lag.describe(state.lag) + (progress == null ? "" : "; " + progress.summary())
                                    + "; waiting for lag under " + Lag.bytes(c.maxLagBytes()) + " / "
                                    + c.maxLagSeconds() + " s")
                    + "; gives up at " + state.catchUpDeadline;
            publisher.publish();
            Workflow.await(polling.interval(), () -> state.paused);
            polling.continueAsNewIfLong();
        }
    }
}
