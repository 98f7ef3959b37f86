package dev.switchover.workflows;

import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.PgBouncerSpec;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;

/**
 * {@code traffic.type: pgbouncer}: PgBouncer holds the clients from the freeze on, is pointed at
 * the target while the source is frozen and checked, and lets them through once it is primary.
 */
final class PgBouncerRoute implements TrafficRoute {
    private final TrafficCutover cutover;
    private final MigrationSpec spec;
    private final MigrationActivities activities;
    /** PgBouncer's repoint, running beside the freeze and the sync check. */
    private Promise<TrafficSwitchResult> repointing;

    PgBouncerRoute(TrafficCutover cutover) {
        this.cutover = cutover;
        this.spec = cutover.spec();
        this.activities = cutover.activities();
    }

    @Override
    public boolean holdsClients() {
        return true;
    }

    /** PgBouncer holds the clients and is pointed at the target. */
    @Override
    public void holdClients() {
        activities.pauseTraffic(spec);
        // While the source is frozen and the target checked, PgBouncer is pointed at the target:
        // its clients are held, so nothing reaches the target before promotion, and the repoint
        // (a file edit and a RELOAD) no longer adds to their wait. Detached, so that an abort
        // cannot leave it running behind the rollback's repoint to the source.
        Workflow.newDetachedCancellationScope(() -> repointing = Async.function(activities::repointTraffic, spec))
                .run();
    }

    /** The repoint's end, if one was started. */
    @Override
    public void awaitHold() {
        if (repointing != null) repointing.get();
    }

    /** PgBouncer lets its clients through on the source again. */
    @Override
    public void releaseOnSource() {
        // The repoint may still be running: pointing PgBouncer back must come after it.
        if (repointing != null) Failures.awaitQuietly(repointing);
        activities.resumeTrafficOnSource(spec);
    }

    /** PgBouncer, already pointed at the target before promotion: its held clients let through. */
    @Override
    public String switchAfterPromotion() {
        return cutover.switchStep(this::resumeOnTarget, this::switchFailedAdvice);
    }

    private TrafficSwitchResult resumeOnTarget() {
        TrafficSwitchResult resumed = activities.resumeTraffic(spec);
        return new TrafficSwitchResult("pgbouncer", repointing.get().detail() + "; " + resumed.detail());
    }

    @Override
    public String heldWhileFrozen() {
        return "clients held by PgBouncer; ";
    }

    @Override
    public String switchFailedAdvice() {
        PgBouncerSpec p = spec.traffic().pgbouncer();
        return ": PgBouncer " + p.address() + " may still hold " + p.database()
                + " paused; point its [databases] line at " + spec.target().address() + ", RELOAD and RESUME "
                + p.database() + " on the admin console.";
    }

    @Override
    public String promotionIncompleteAdvice() {
        PgBouncerSpec p = spec.traffic().pgbouncer();
        return " PgBouncer " + p.address() + " holds " + p.database()
                + " paused until you RESUME it on its admin console" + " (after pointing it at the primary).";
    }
}
