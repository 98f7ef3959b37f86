package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;

/**
 * Measures the target's lag for the waits that watch it (the base copy, the catch-up, the gate, a
 * pause), and keeps the WAL our slot holds back on the source within the spec's bound meanwhile.
 */
record LagSampler(MigrationState state, MigrationSpec spec, MigrationActivities activities) {

    /** A sample into the state; one that cannot be taken counts as lag unknown, not as a failure. */
    void sample() {
        LagSample sample;
        try {
            sample = activities.measureLag(spec);
        } catch (ActivityFailure f) {
            if (f.getCause() instanceof CanceledFailure) throw f;
            sample = new LagSample(
                    false, Long.MAX_VALUE, Double.MAX_VALUE, null, null, "unknown: " + Failures.rootMessage(f));
        }
        state.sampled(sample, spec.catchUp(), now());
        boundRetainedWal(sample);
    }

    /**
     * The slot must not fill the production primary's disk while the target lags: past half the
     * bound a note, past the bound the migration stops, and the rollback drops the slot.
     */
    private void boundRetainedWal(LagSample sample) {
        Long limit = sample.retentionLimit(
                spec.catchUp().maxRetainedBytes(), spec.catchUp().maxRetainedPercent());
        if (limit == null) return;
        String held = Lag.bytes(sample.retainedBytes()) + " of WAL held back on the source "
                + spec.source().address()
                + " for the target (" + Lag.bytes(sample.sourceFreeBytes()) + " free there; the bound is "
                + Lag.bytes(limit)
                + ": catchUp.maxRetainedBytes / maxRetainedPercent)";
        if (sample.retainedBytes() > limit) {
            throw Failures.fatal(
                    Failures.RETAINED_WAL_LIMIT,
                    held + ". The target " + spec.target().address()
                            + " is too far behind (" + Lag.describe(sample)
                            + "); the migration stops and releases the slot before the"
                            + " source's disk fills. Give the target a faster link or disk, or the source more space, and start again.");
        }
        if (sample.retainedBytes() > limit / 2 && !state.retentionWarned) {
            state.retentionWarned = true;
            state.note(now(), "WARNING: " + held + "; past the bound the migration stops");
        }
    }
}
