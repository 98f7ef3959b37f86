package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.activities.BenchmarkResult;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.ReportLocation;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecProblem;
import dev.switchover.workflows.spec.SpecValidator;
import dev.switchover.workflows.spec.TrafficSwitch;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord.Outcome;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.DynamicSignalHandler;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * The runbook as a workflow. Until promotion every change to the source has its undo registered
 * before it is made, and an abort or failure runs the undos; from promotion on the target is the
 * primary and the workflow only goes forward.
 */
public class MigrationWorkflowImpl implements MigrationWorkflow {
  private static final Logger log = Workflow.getLogger(MigrationWorkflowImpl.class);

  private final MigrationActivities activities =
      Workflow.newActivityStub(
          MigrationActivities.class, ActivityProfiles.DEFAULT, ActivityProfiles.PER_METHOD);

  private final MigrationState state = new MigrationState();
  private final StepResults results = new StepResults();
  /** PgBouncer's repoint, running beside the freeze and the sync check. */
  private Promise<TrafficSwitchResult> repointing;
  private MigrationSpec spec;
  private StatusPublisher publisher;
  private Steps steps;
  private Rollback rollback;
  private CancellationScope untilPromotion;
  private MigrationResult result;

  /** The abort came by the CLI's update, which requests a cancellation next. */
  private boolean abortByUpdate;
  private static final Duration CANCELLATION_FOLLOWS = Duration.ofSeconds(5);

  /** What the run before this one carried over; null in a migration's first run. */
  private Continuation resumed;
  /** Whether the rollback stops the target's replication before the source's access goes (versioned). */
  private boolean quietTargetOnRollback;
  /** Where a long wait continues as new: a run's history stays about this long (see {@link Polling}). */
  public static final int CONTINUE_AS_NEW_AT = Polling.CONTINUE_AS_NEW_AT;


  @Override
  public MigrationResult migrate(MigrationSpec input, Continuation continued) {
    CancellationScope root = CancellationScope.current();
    try {
      return run(input, continued);
    } catch (ApplicationFailure f) {
      // Temporal records a workflow as CANCELED only if a cancellation was requested and it ends
      // with CanceledFailure: the CLI's abort requests one after its update is accepted (as the Web
      // UI's Request Cancellation does), so the UI shows an abort as an abort, not a red FAILED.
      if (Failures.ABORTED.equals(f.getType())
          && Workflow.getVersion("aborted-as-cancelled", Workflow.DEFAULT_VERSION, 1) == 1) {
        if (abortByUpdate && !root.isCancelRequested()) {
          // The CLI requests the cancellation right after its abort is accepted; a quick rollback
          // may be done first. Signals (the Web UI's, a fleet's) come with none and end FAILED.
          Workflow.newDetachedCancellationScope(() -> Workflow.await(CANCELLATION_FOLLOWS, root::isCancelRequested)).run();
        }
        // Temporal keeps no message with a cancellation; the rollback's words stay in the status.
        if (root.isCancelRequested()) throw new CanceledFailure(f.getOriginalMessage());
      }
      throw f;
    }
  }

  private MigrationResult run(MigrationSpec input, Continuation continued) {
    receiveInternalSignals();
    List<SpecProblem> problems = SpecValidator.validate(input);
    if (!problems.isEmpty()) {
      throw Failures.fatal(
          Failures.INVALID_SPEC,
          "the migration spec is not valid:\n"
              + problems.stream().map(SpecProblem::toString).collect(Collectors.joining("\n")));
    }
    spec = input.withDefaults();
    publisher = new StatusPublisher(state, spec, Notifier.start(state, spec), activities, results);
    steps = new Steps(state, publisher);
    rollback = new Rollback(state, spec, publisher);
    if (continued != null) restore(continued);
    publisher.publish();

    untilPromotion = Workflow.newCancellationScope(this::runUntilPromotion);
    try {
      untilPromotion.run();
      // An abort accepted while the last step was completing finds the scope already done.
      if (state.abort != null) throw new CanceledFailure("aborted by " + state.abort.by());
    } catch (Continuation.Requested longHistory) {
      continueAsNew(input);
    } catch (TemporalFailure failure) {
      throw rollback.rollBack(failure);
    }
    return runFromPromotion();
  }

  private void restore(Continuation c) {
    resumed = c;
    results.restore(c);
    quietTargetOnRollback = c.quietTargetOnRollback();
    publisher.resume(c);
    state.restore(c);
    log.info("run {} goes on in {}", c.run(), c.phase());
  }

  /**
   * Ends this run and starts the next with what it carries. The webhook's queued events go out
   * from here first (the next run numbers on), handlers finish, and an abort that arrives meanwhile
   * is honoured here, since the next run would not know of it.
   */
  private void continueAsNew(MigrationSpec input) {
    // Detached: a cancellation requested meanwhile (an abort) must reach the rollback below, not end the wait.
    Workflow.newDetachedCancellationScope(() -> {
      publisher.drain(() -> state.abort != null);
      Workflow.await(() -> Workflow.isEveryHandlerFinished() || state.abort != null);
    }).run();
    if (state.abort != null) throw rollback.rollBack(new CanceledFailure("aborted by " + state.abort.by()));
    Continuation next = new Continuation(resumed == null ? 2 : resumed.run() + 1, state.phase, results.preflight,
        results.benchmark, results.preparation, results.baseCopy, quietTargetOnRollback, List.copyOf(state.steps), List.copyOf(state.notes),
        state.lag, state.inSyncSince, state.trend.points(), state.catchUpDeadline, state.deadlineHeldSince,
        state.paused, state.pausedBy, state.approval, state.approvedAt, state.approvalAnnounced, state.retentionWarned,
        publisher.notified(), publisher.announced(), state.reportedPhase, state.fleetReports);
    log.info("history at {} events: continuing as new in {}", Workflow.getInfo().getHistoryLength(), state.phase);
    Workflow.newContinueAsNewStub(MigrationWorkflow.class).migrate(input, next);
  }

  /** Steps that can still be undone: the source is the primary throughout. */
  private void runUntilPromotion() {
    if (state.abort != null) throw new CanceledFailure("aborted before the first step");
    Phase goOnIn = resumed == null ? null : resumed.phase();
    LagSampler lag = new LagSampler(state, spec, activities);
    Polling polling = new Polling(state, spec, publisher, lag);
    if (goOnIn == null) {
      results.preflight = steps.run(Phase.PREFLIGHT, () -> activities.preflight(spec), r -> preflightSummary(r));
      results.benchmark = steps.run(Phase.BENCHMARK, () -> activities.benchmarkTarget(spec), this::judgeBenchmark);

      undoPreparation();
      results.preparation = steps.run(Phase.PREPARE_SOURCE, () -> activities.prepareSource(spec), r -> preparationSummary(spec, r));

      quietTargetOnRollback = Workflow.getVersion("quiet-target-on-rollback", Workflow.DEFAULT_VERSION, 1) == 1;
      if (quietTargetOnRollback) undoQuietTarget();
      results.baseCopy = steps.run(Phase.BASE_COPY,
          () -> new BaseCopy(spec, activities, lag, polling).run(results.preparation), r -> String.format(
          "%s %s in %ds%s", r.method(), Lag.bytes(r.bytes()), r.seconds(), r.alreadyDone() ? " (found complete)" : ""));
    } else {
      // A continued run: the steps before the wait were done by an earlier run; their undos are
      // registered again from what it carried, in the same order.
      undoPreparation();
      if (quietTargetOnRollback) undoQuietTarget();
    }

    if (goOnIn != Phase.AWAIT_CUTOVER) {
      steps.run(Phase.CATCH_UP, () -> {
        new CatchUp(state, spec, publisher, lag, polling).run();
        return state.lag;
      }, Lag::describe, goOnIn == Phase.CATCH_UP);
    }
    steps.run(Phase.AWAIT_CUTOVER, new CutoverGate(state, spec, publisher, lag, polling)::await, a -> a, goOnIn == Phase.AWAIT_CUTOVER);

    // The shortest write pause: clients are held by PgBouncer from here until the target is
    // primary, and let through on the source again if anything fails before promotion.
    boolean pgbouncer = spec.traffic().type() == TrafficSwitch.PGBOUNCER;
    if (pgbouncer) {
      rollback.register("resume traffic on the source", () -> {
        // The repoint may still be running: pointing PgBouncer back must come after it.
        if (repointing != null) Failures.awaitQuietly(repointing);
        activities.resumeTrafficOnSource(spec);
      });
    }
    if (spec.cutover().stopApplication() != null) {
      rollback.register("resume the application", () -> activities.resumeApplication(spec));
    }
    rollback.register(Rollback.UNFREEZE, () -> activities.unfreezeWrites(spec));
    results.frozen = steps.run(Phase.FREEZE_WRITES, () -> {
      if (pgbouncer) {
        activities.pauseTraffic(spec);
        // While the source is frozen and the target checked, PgBouncer is pointed at the target:
        // its clients are held, so nothing reaches the target before promotion, and the repoint
        // (a file edit and a RELOAD) no longer adds to their wait. Detached, so that an abort
        // cannot leave it running behind the rollback's repoint to the source.
        Workflow.newDetachedCancellationScope(() -> repointing = Async.function(activities::repointTraffic, spec)).run();
      }
      if (spec.cutover().stopApplication() != null) activities.stopApplication(spec);
      return activities.freezeWrites(spec);
    }, f -> (pgbouncer ? "clients held by PgBouncer; " : "") + "source read-only at " + f.finalPosition() + ", "
        + f.sessionsEnded() + " write sessions ended");

    results.sync = steps.run(Phase.VERIFY_SYNC, () -> {
      SyncProof proof = activities.verifySync(spec, results.frozen);
      // Promote only once PgBouncer points at the target: a repoint that fails now rolls back.
      if (repointing != null) repointing.get();
      return proof;
    }, p -> "target at " + p.targetPosition() + " ≥ source's final " + p.sourceFinalPosition());
  }

  private void undoPreparation() {
    rollback.register("remove what prepare-source added on the source",
        () -> activities.undoPrepareSource(spec, results.preparation));
  }

  /** Popped before the source's preparation is undone: the standby stops before its access goes. */
  private void undoQuietTarget() {
    rollback.register("stop the target's replication", () -> state.note(now(), activities.quietTarget(spec)));
  }

  /**
   * Promotion and what follows run outside the abortable scope: once the target may be primary,
   * going back would risk two primaries, so the workflow only goes forward.
   */
  private MigrationResult runFromPromotion() {
    state.phase = Phase.PROMOTE;
    state.abortablePromotion =
        Workflow.getVersion("abort-during-promote", Workflow.DEFAULT_VERSION, 1) != Workflow.DEFAULT_VERSION;
    CancellationScope forward = Workflow.newDetachedCancellationScope(() -> {
      try {
        results.promotion = steps.run(Phase.PROMOTE, this::promoteOnProof, p ->
            (p.alreadyPromoted() ? "was already primary" : "promoted") + " at " + p.newPrimaryPosition()
                + (p.detail() == null || p.detail().isBlank() || p.detail().equals("was already primary") ? ""
                    : " (" + p.detail() + ")"));
      } catch (ActivityFailure f) {
        if (provedNothingChanged(f)) throw rollback.rollBack(f);
        throw holdAfterFailedPromotion(f);
      } catch (CanceledFailure aborted) {
        throw rollback.rollBack(aborted);
      }
      rollback.clear();
      String trafficFailure = switchTraffic();
      postPromotion();
      state.phase = Phase.DONE;
      state.waitingFor = "";
      state.paused = false;
      publisher.publish();
      ReportLocation report = publisher.writeReport();
      if (trafficFailure != null) {
        state.failure = trafficFailure;
        publisher.notifyFailed(trafficFailure);
        throw Failures.fatal("TrafficSwitchFailed", trafficFailure);
      }
      publisher.flush();
      result = new MigrationResult(spec.target().address(), status(), report);
    });
    forward.run();
    return result;
  }

  private String switchTraffic() {
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
          + rootMessage(f) + ". Point clients at " + spec.target().address() + " by hand"
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

  /** The runbook's safety net and checklist. Their failures are reported, not fatal. */
  private void postPromotion() {
    state.begin(Phase.POST_PROMOTION, now());
    publisher.publish();
    StringBuilder detail = new StringBuilder();
    if (Boolean.TRUE.equals(spec.backup().enabled())) {
      try {
        results.backup = activities.backupNewPrimary(spec);
        detail.append("backup ").append(results.backup.location()).append(" (").append(Lag.bytes(results.backup.bytes())).append(")");
      } catch (ActivityFailure f) {
        String why = "NO BACKUP of the new primary: " + rootMessage(f) + " — take one by hand now";
        state.note(now(), why);
        detail.append(why);
      }
    } else {
      detail.append("backup disabled in the spec");
    }
    retireOldSource(detail);
    try {
      results.checklist = activities.runChecklist(spec);
      long attention = results.checklist.checks().stream().filter(c -> c.verdict() != dev.switchover.workflows.activities.Check.Verdict.OK).count();
      detail.append("; checklist: ").append(results.checklist.checks().size()).append(" checks, ").append(attention).append(" need attention");
    } catch (ActivityFailure f) {
      state.note(now(), "final checklist failed: " + rootMessage(f));
      detail.append("; checklist failed");
    }
    state.end(Outcome.OK, detail.toString(), now());
  }

  /**
   * What the copy needed on the old source comes off it once the target is primary; the fence
   * stays. Bounded (a dead old source costs a minute at most) and never fatal: what is left there
   * is noted for the operator.
   */
  private void retireOldSource(StringBuilder detail) {
    if (Workflow.getVersion("retire-old-source", Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) return;
    try {
      detail.append("; old source: ").append(activities.retireOldSource(spec, results.preparation));
    } catch (ActivityFailure f) {
      String why = "the old source " + spec.source().address() + " could not be cleaned up (" + rootMessage(f)
          + "): its replication account, access rule and slot (PostgreSQL) may still be there; it stays fenced";
      state.note(now(), why);
      detail.append("; ").append(why);
    }
  }

  private String judgeBenchmark(BenchmarkResult r) {
    int floor = spec.benchmark().minIops();
    if (r.writeIops() < floor) {
      throw Failures.fatal(Failures.IOPS_BELOW_FLOOR, String.format(java.util.Locale.ROOT,
          "the target's disk did %.0f write IOPS (4k random, direct I/O) in %s, below the floor of %d. "
              + "A restore and catch-up on this disk would take hours. Move the target to faster storage, "
              + "or lower benchmark.minIops if you accept that.", r.writeIops(), r.directory(), floor));
    }
    return String.format(java.util.Locale.ROOT, "%.0f write IOPS ≥ %d", r.writeIops(), floor);
  }

  private static String preflightSummary(PreflightReport r) {
    long restarts = r.settingsToChange().stream().filter(s -> s.needsRestart()).count();
    return "source " + r.sourceVersion() + ", target " + r.targetVersion() + "; "
        + r.checks().size() + " checks; " + r.settingsToChange().size() + " settings to change ("
        + restarts + " need a restart)";
  }

  private static String preparationSummary(MigrationSpec spec, SourcePreparation p) {
    if (spec.engine() != dev.switchover.workflows.spec.Engine.POSTGRESQL) {
      return (p.createdRole() ? "replication account created" : "replication account present") + ", "
          + p.changedSettings().size() + " settings changed";
    }
    return (p.createdRole() ? "role created" : "role present") + ", "
        + (p.addedHbaLine() ? "pg_hba line added" : "access rule present") + ", "
        + (p.createdSlot() ? "slot created" : "slot present") + ", "
        + p.changedSettings().size() + " settings changed";
  }

  /**
   * Promotes once the source proves it is still fenced. While the source cannot be reached the
   * target is not promoted and nothing waits silently: the proof is tried again every 30 s, status
   * says what the operator can do, and an abort is accepted (nothing was promoted).
   */
  private PromotionResult promoteOnProof() {
    boolean noted = false;
    Instant heldSince = null;
    boolean backOff = false;
    while (true) {
      try {
        return abortably(() -> activities.promote(spec, results.frozen));
      } catch (ActivityFailure f) {
        if (!Failures.SOURCE_UNREACHABLE.equals(Failures.failureType(f))) throw f;
        if (heldSince == null) {
          heldSince = now();
          backOff = Workflow.getVersion("held-proof-backoff", Workflow.DEFAULT_VERSION, 1) == 1;
        }
        state.promotionHeld = true;
        Duration retry = backOff ? proofRetry(Duration.between(heldSince, now())) : SOURCE_PROOF_RETRY;
        String id = Workflow.getInfo().getWorkflowId();
        state.waitingFor = rootMessage(f) + " Choose: start the source's server again (the proof is tried again at "
            + now().plus(retry).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            + " and the target promoted once it passes); or `./switchover abort " + id + " --reason …` (the target"
            + " stays a standby, the source is made writable again once it answers); or, if the source is gone for"
            + " good, `./switchover promote-without-source " + id + " --reason …` (the target is promoted holding the"
            + " freeze's final position " + results.frozen.finalPosition() + "; the old source must never be started as a"
            + " primary again).";
        if (!noted) state.note(now(), "HELD before promotion: " + rootMessage(f));
        noted = true;
        publisher.publish();
        if (Workflow.await(retry, () -> state.abort != null || state.promoteWithoutSource != null)) {
          if (state.abort != null) {
            state.promotionHeld = false;
            throw new CanceledFailure("aborted by " + state.abort.by() + " while the source could not be reached");
          }
          try {
            return abortably(() -> activities.promoteWithoutSource(spec, results.frozen));
          } catch (ActivityFailure refused) {
            state.note(now(), "promotion without the source's proof failed: " + rootMessage(refused) + "; still held");
            state.promoteWithoutSource = null;
          }
        }
      }
    }
  }

  /**
   * One promotion attempt that an abort may stop. The phase cannot tell whether an attempt got as
   * far as promoting, so an abort lets the running attempt end (its activity waits for that) and
   * then asks the target: a standby means nothing was promoted and the cutover rolls back; a
   * target that takes writes is the primary, the abort came too late and the promotion is finished.
   */
  private PromotionResult abortably(Functions.Func<PromotionResult> attempt) {
    if (!state.abortablePromotion || state.targetPromoted) return promoted(attempt.apply());
    List<Promise<PromotionResult>> running = new java.util.ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(() -> running.add(Async.function(attempt)));
    scope.run();
    Workflow.await(() -> running.get(0).isCompleted() || state.abort != null);
    if (!running.get(0).isCompleted()) {
      state.waitingFor = "abort requested by " + state.abort.by() + ": letting the running promotion attempt end, then"
          + " asking the target " + spec.target().address() + " whether it takes writes";
      publisher.publish();
      scope.cancel("aborted by " + state.abort.by());
    }
    try {
      return promoted(running.get(0).get());
    } catch (ActivityFailure | CanceledFailure f) {
      if (state.abort == null) throw f;
      if (!activities.targetPromoted(spec)) {
        state.promotionHeld = false;
        throw new CanceledFailure("aborted by " + state.abort.by() + " during promotion; the target "
            + spec.target().address() + " answered that it is not promoted");
      }
      state.targetPromoted = true;
      return promoted(attempt.apply());
    }
  }

  /** The target takes writes: an abort that arrived meanwhile came too late, and says so. */
  private PromotionResult promoted(PromotionResult r) {
    state.promotionHeld = false;
    state.targetPromoted = true;
    if (state.abort != null) {
      state.note(now(), "the abort by " + state.abort.by() + " came too late: the target " + spec.target().address()
          + " had already been promoted and takes writes, so the migration goes forward");
      state.abort = null;
    }
    return r;
  }

  /** Promotion refused before acting (wrong host, target not in sync, source not fenced): nothing changed, so roll back. */
  private static boolean provedNothingChanged(ActivityFailure f) {
    return f.getCause() instanceof ApplicationFailure a && NOTHING_PROMOTED.contains(a.getType());
  }

  private static final List<String> NOTHING_PROMOTED = List.of(Failures.WRONG_HOST, Failures.SYNC_NOT_REACHED,
      Failures.SOURCE_NOT_FENCED, Failures.ERRANT_TRANSACTIONS);
  private static final Duration SOURCE_PROOF_RETRY = Duration.ofSeconds(30);

  /**
   * How long a held promotion waits before trying the proof again: every 30 s at first, when the
   * source is most likely back soon; then every 2 minutes, and after 6 hours every 10, so that a hold
   * over a weekend writes about 5,000 events, not Temporal's limit. An abort or a promotion without the
   * source is acted on at once whatever the interval.
   */
  static Duration proofRetry(Duration held) {
    if (held.compareTo(Duration.ofMinutes(30)) < 0) return SOURCE_PROOF_RETRY;
    return held.compareTo(Duration.ofHours(6)) < 0 ? Duration.ofMinutes(2) : Duration.ofMinutes(10);
  }

  private ApplicationFailure holdAfterFailedPromotion(ActivityFailure f) {
    String message = "promotion of " + spec.target().address() + " did not complete: " + rootMessage(f)
        + ". The source " + spec.source().address() + " stays read-only to avoid two primaries. Check whether the"
        + " target is in recovery (SELECT pg_is_in_recovery() / SHOW REPLICA STATUS): if it is primary, point"
        + " clients at it; if not, make the source writable again by hand."
        + (spec.traffic().type() == TrafficSwitch.PGBOUNCER ? " PgBouncer " + spec.traffic().pgbouncer().address()
            + " holds " + spec.traffic().pgbouncer().database() + " paused until you RESUME it on its admin console"
            + " (after pointing it at the primary)." : "");
    state.failure = message;
    state.phase = Phase.FAILED;
    state.note(now(), message);
    publisher.publish();
    publisher.writeReportQuietly();
    publisher.notifyFailed(message);
    return ApplicationFailure.newNonRetryableFailureWithCause(message, "PromotionIncomplete", f);
  }

  /** The innermost message: an ActivityFailure's own text names the activity, not the problem. */
  static String rootMessage(Throwable e) {
    return Failures.rootMessage(e);
  }

  // ---- operator handlers ----

  @Override
  public String approveCutover(Approval approval) {
    state.approval = approval;
    state.approvedAt = now();
    state.note(now(), "cutover approved by " + approval.approver()
        + (approval.comment() == null ? "" : ": " + approval.comment()));
    return "approved by " + approval.approver() + "; the workflow re-checks lag and cuts over";
  }

  @Override
  public void validateApproveCutover(Approval approval) {
    reject(OperatorRules.refuseApproval(state, spec, approval, now()));
  }

  @Override
  public void approveCutoverSignal(Approval approval) {
    String refusal = spec == null ? "the migration has not started" : OperatorRules.refuseApproval(state, spec, approval, now());
    if (refusal != null) {
      String from = approval == null || approval.approver() == null || approval.approver().isBlank()
          ? "without an approver" : "from " + approval.approver();
      state.note(now(), "approval signal " + from + " ignored: " + refusal);
      return;
    }
    approveCutover(approval);
  }

  @Override
  public String abort(AbortRequest request) {
    abortByUpdate = true;
    return abortAsked(request);
  }

  private String abortAsked(AbortRequest request) {
    state.abort = request;
    state.note(now(), "abort requested by " + request.by() + ": " + request.reason());
    if (untilPromotion != null) untilPromotion.cancel("aborted by " + request.by());
    if (state.phase == Phase.PROMOTE && !state.promotionHeld) {
      return "aborting during promotion: the running attempt is let end, then the target " + spec.target().address()
          + " is asked whether it takes writes; if not, the source's changes are undone, if so it is the primary"
          + " and the migration goes forward. `./switchover status` shows which";
    }
    return "aborting: the source's changes are being undone; `./switchover status` shows the rollback";
  }

  @Override
  public void validateAbort(AbortRequest request) {
    if (request == null || request.reason() == null || request.reason().isBlank()) {
      reject("an abort needs a reason: {\"by\": \"your name\", \"reason\": \"why\"}");
    }
    reject(OperatorRules.refuseAbort(state));
  }

  @Override
  public void abortSignal(AbortRequest request) {
    String refusal = request == null || request.reason() == null || request.reason().isBlank()
        ? "an abort needs a reason" : OperatorRules.refuseAbort(state);
    if (refusal != null) {
      state.note(now(), "abort signal ignored: " + refusal);
      return;
    }
    abortAsked(request);
  }

  @Override
  public String promoteWithoutSource(OperatorDecision decision) {
    state.promoteWithoutSource = decision;
    state.note(now(), "promotion without the source's proof decided by " + decision.by() + ": " + decision.reason());
    return "promoting " + spec.target().address() + " without the source's proof, as decided by " + decision.by()
        + "; `./switchover status` shows it";
  }

  @Override
  public void validatePromoteWithoutSource(OperatorDecision decision) {
    reject(OperatorRules.refusePromoteWithoutSource(state, decision));
  }

  @Override
  public void promoteWithoutSourceSignal(OperatorDecision decision) {
    String refusal = OperatorRules.refusePromoteWithoutSource(state, decision);
    if (refusal != null) {
      state.note(now(), "promote-without-source signal ignored: " + refusal);
      return;
    }
    promoteWithoutSource(decision);
  }

  @Override
  public String pause(String by) {
    state.paused = true;
    state.pausedBy = by == null || by.isBlank() ? "operator" : by;
    state.note(now(), "paused by " + state.pausedBy);
    publisher.publish();
    return "paused in " + state.phase + "; no cutover happens until resumed";
  }

  @Override
  public void validatePause(String by) {
    reject(OperatorRules.refusePause(state));
  }

  @Override
  public String resume(String by) {
    state.paused = false;
    state.note(now(), "resumed by " + (by == null || by.isBlank() ? "operator" : by));
    publisher.publish();
    return "resumed in " + state.phase;
  }

  @Override
  public void validateResume(String by) {
    reject(OperatorRules.refuseResume(state));
  }

  /**
   * The base copy's progress, signalled by its activity. Received by a dynamic handler so that the
   * Web UI, which lists a workflow's named signals for operators to send, does not offer it.
   */
  private void receiveInternalSignals() {
    Workflow.registerListener((DynamicSignalHandler) (name, args) -> {
      if (MigrationWorkflow.Names.COPY_PROGRESS.equals(name)) reportCopyProgress(args.get(0, CopyProgress.class));
    });
  }

  private void reportCopyProgress(CopyProgress progress) {
    state.copy = progress;
    if (state.phase == Phase.BASE_COPY) {
      state.waitingFor = String.format(java.util.Locale.ROOT, "base copy %.1f%% (%s)", progress.percent(), progress.stage());
      publisher.publish();
    }
  }

  @Override
  public MigrationStatus status() {
    if (spec == null) {
      return new MigrationStatus(null, null, null, null, state.phase, "starting", false, List.of(), null, null,
          null, null, null, null, List.of(), null, null);
    }
    return state.snapshot(spec, now());
  }

  private static void reject(String refusal) {
    if (refusal != null) throw ApplicationFailure.newNonRetryableFailure(refusal, "Rejected");
  }
}
