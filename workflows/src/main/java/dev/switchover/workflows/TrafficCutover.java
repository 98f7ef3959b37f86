package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.TrafficSwitch;
import dev.switchover.workflows.status.StepRecord.Outcome;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;

/**
 * The clients' move to the target, as the spec's traffic switch says: none (the operator points
 * them), a command after promotion, or PgBouncer, which holds them from the freeze on, is pointed
 * at the target while the source is frozen and checked, and lets them through once it is primary.
 */
final class TrafficCutover {
  private final MigrationState state;
  private final MigrationSpec spec;
  private final MigrationActivities activities;
  private final Steps steps;
  private final StatusPublisher publisher;
  private final StepResults results;
  /** PgBouncer's repoint, running beside the freeze and the sync check. */
  private Promise<TrafficSwitchResult> repointing;

  TrafficCutover(MigrationState state, MigrationSpec spec, MigrationActivities activities, Steps steps,
      StatusPublisher publisher, StepResults results) {
    this.state = state;
    this.spec = spec;
    this.activities = activities;
    this.steps = steps;
    this.publisher = publisher;
    this.results = results;
  }

  /** PgBouncer holds the clients from the freeze until the target is primary. */
  boolean holdsClients() {
    return spec.traffic().type() == TrafficSwitch.PGBOUNCER;
  }

  /** In the freeze, before the source is made read-only: PgBouncer holds the clients and is pointed at the target. */
  void holdClientsAndRepoint() {
    activities.pauseTraffic(spec);
    // While the source is frozen and the target checked, PgBouncer is pointed at the target:
    // its clients are held, so nothing reaches the target before promotion, and the repoint
    // (a file edit and a RELOAD) no longer adds to their wait. Detached, so that an abort
    // cannot leave it running behind the rollback's repoint to the source.
    Workflow.newDetachedCancellationScope(() -> repointing = Async.function(activities::repointTraffic, spec)).run();
  }

  /** The repoint's end, if one was started; its failure fails the caller's step. */
  void awaitRepoint() {
    if (repointing != null) repointing.get();
  }

  /** The undo of {@link #holdClientsAndRepoint}: PgBouncer lets its clients through on the source again. */
  void resumeOnSource() {
    // The repoint may still be running: pointing PgBouncer back must come after it.
    if (repointing != null) Failures.awaitQuietly(repointing);
    activities.resumeTrafficOnSource(spec);
  }

  /**
   * After promotion: clients to the target. Returns what went wrong, for the operator, or null:
   * the target is the primary whatever happens here, so a failure does not undo anything.
   */
  String switchTraffic() {
    if (spec.traffic().type() == TrafficSwitch.NONE) {
      state.begin(Phase.SWITCH_TRAFFIC, now());
      // The webhook alone hears of this instant step: publishDetails was never called here, and what
      // it does beyond the UI's details (a fleet member's report to its parent) must replay as recorded.
      publisher.announcePhase();
      state.end(Outcome.OK, "none configured: point clients at " + spec.target().address(), now());
      return null;
    }
    boolean pgbouncer = spec.traffic().type() == TrafficSwitch.PGBOUNCER;
    try {
      results.traffic = steps.run(Phase.SWITCH_TRAFFIC,
          pgbouncer ? this::resumeOnTarget : () -> activities.switchTraffic(spec),
          t -> t.method() + ": " + t.detail());
      return null;
    } catch (ActivityFailure f) {
      return "the target " + spec.target().address() + " is the primary, but switching traffic failed: "
          + Failures.rootMessage(f) + ". Point clients at " + spec.target().address() + " by hand"
          + (pgbouncer ? ": PgBouncer " + spec.traffic().pgbouncer().address() + " may still hold "
              + spec.traffic().pgbouncer().database() + " paused; point its [databases] line at "
              + spec.target().address() + ", RELOAD and RESUME " + spec.traffic().pgbouncer().database()
              + " on the admin console." : ".");
    }
  }

  /** PgBouncer, already pointed at the target before promotion: its held clients let through. */
  private TrafficSwitchResult resumeOnTarget() {
    TrafficSwitchResult resumed = activities.resumeTraffic(spec);
    return new TrafficSwitchResult("pgbouncer", repointing.get().detail() + "; " + resumed.detail());
  }
}
