package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.ReportLocation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecProblem;
import dev.switchover.workflows.spec.SpecValidator;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.DynamicSignalHandler;
import io.temporal.workflow.Workflow;
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
            Workflow.newActivityStub(MigrationActivities.class, ActivityProfiles.DEFAULT, ActivityProfiles.PER_METHOD);

    private final MigrationState state = new MigrationState();
    private final StepResults results = new StepResults();
    private MigrationSpec spec;
    private StatusPublisher publisher;
    private Steps steps;
    private Rollback rollback;
    private TrafficRoute traffic;
    private CancellationScope untilPromotion;
    private MigrationResult result;

    /** The abort came by the CLI's update, which requests a cancellation next. */
    private boolean abortByUpdate;

    /** What the run before this one carried over; null in a migration's first run. */
    private Continuation resumed;
    /** Where a long wait continues as new: a run's history stays about this long (see {@link Polling}). */
    public static final int CONTINUE_AS_NEW_AT = Polling.CONTINUE_AS_NEW_AT;

    @Override
    public MigrationResult migrate(MigrationSpec input, Continuation continued) {
        return AbortedAsCancelled.run(() -> run(input, continued), () -> abortByUpdate);
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
        MigrationSpec completed = input.withDefaults();
        bind(completed, Notifier.start(state, completed));
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

    /** What acts with the spec, built again if preflight resolves its method (before any undo is registered). */
    private void bind(MigrationSpec migration, Notifier notifier) {
        spec = migration;
        publisher = new StatusPublisher(state, spec, notifier, activities, results);
        steps = new Steps(state, publisher);
        rollback = new Rollback(state, spec, publisher);
        traffic = TrafficRoutes.of(new TrafficCutover(state, spec, activities, steps, publisher, results));
    }

    private void restore(Continuation c) {
        resumed = c;
        results.restore(c);
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
                })
                .run();
        if (state.abort != null) throw rollback.rollBack(new CanceledFailure("aborted by " + state.abort.by()));
        Continuation next = Continuation.carrying(
                resumed == null ? 2 : resumed.run() + 1, state, results, publisher.notified(), publisher.announced());
        log.info(
                "history at {} events: continuing as new in {}",
                Workflow.getInfo().getHistoryLength(),
                state.phase);
        Workflow.newContinueAsNewStub(MigrationWorkflow.class).migrate(input, next);
    }

    /** Steps that can still be undone: the source is the primary throughout. */
    private void runUntilPromotion() {
        if (state.abort != null) throw new CanceledFailure("aborted before the first step");
        Phase goOnIn = resumed == null ? null : resumed.phase();
        if (goOnIn == null) {
            results.preflight =
                    steps.run(Phase.PREFLIGHT, () -> activities.preflight(spec), r -> StepSummaries.preflight(spec, r));
        }
        MigrationSpec resolved = ResolvedMethod.after(spec, results.preflight);
        if (resolved != spec) bind(resolved, publisher.notifier());
        LagSampler lag = new LagSampler(state, spec, activities);
        Polling polling = new Polling(state, spec, publisher, lag);
        if (goOnIn == null) {
            results.benchmark = steps.run(
                    Phase.BENCHMARK, () -> activities.benchmarkTarget(spec), r -> StepSummaries.benchmark(spec, r));

            undoPreparation();
            results.preparation = steps.run(
                    Phase.PREPARE_SOURCE,
                    () -> activities.prepareSource(spec),
                    r -> StepSummaries.preparation(spec, r));

            state.quietTargetOnRollback =
                    Workflow.getVersion("quiet-target-on-rollback", Workflow.DEFAULT_VERSION, 1) == 1;
            if (state.quietTargetOnRollback) undoQuietTarget();
            results.baseCopy = steps.run(
                    Phase.BASE_COPY,
                    () -> new BaseCopy(spec, activities, lag, polling).run(results.preparation),
                    StepSummaries::baseCopy);
        } else {
            // A continued run: the steps before the wait were done by an earlier run; their undos are
            // registered again from what it carried, in the same order.
            undoPreparation();
            if (state.quietTargetOnRollback) undoQuietTarget();
        }

        if (goOnIn != Phase.AWAIT_CUTOVER) {
            steps.run(
                    Phase.CATCH_UP,
                    () -> {
                        new CatchUp(state, spec, publisher, lag, polling).run();
                        return state.lag;
                    },
                    Lag::describe,
                    goOnIn == Phase.CATCH_UP);
        }
        CutoverGate gate = new CutoverGate(state, spec, publisher, lag, polling);
        steps.run(Phase.AWAIT_CUTOVER, gate::await, a -> a, goOnIn == Phase.AWAIT_CUTOVER);

        // The shortest write pause: a switch that holds the clients (PgBouncer) holds them from here until
        // the target is primary, and lets them through on the source again if anything fails before promotion.
        boolean holds = traffic.holdsClients();
        if (holds) rollback.register("resume traffic on the source", traffic::releaseOnSource);
        if (spec.cutover().stopApplication() != null) {
            rollback.register("resume the application", () -> activities.resumeApplication(spec));
        }
        rollback.register(Rollback.UNFREEZE, () -> activities.unfreezeWrites(spec));
        results.frozen = steps.run(
                Phase.FREEZE_WRITES,
                () -> {
                    if (holds) traffic.holdClients();
                    if (spec.cutover().stopApplication() != null) activities.stopApplication(spec);
                    return activities.freezeWrites(spec);
                },
                f -> StepSummaries.freeze(traffic.heldWhileFrozen(), f));

        results.sync = steps.run(
                Phase.VERIFY_SYNC,
                () -> {
                    SyncProof proof = activities.verifySync(spec, results.frozen);
                    // Promote only once the held clients' switch points at the target: a repoint that fails now rolls
                    // back.
                    traffic.awaitHold();
                    return proof;
                },
                StepSummaries::sync);
    }

    private void undoPreparation() {
        rollback.register(
                "remove what prepare-source added on the source",
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
        Promotion promotion = new Promotion(state, spec, activities, publisher, results, traffic);
        CancellationScope forward = Workflow.newDetachedCancellationScope(() -> {
            try {
                results.promotion = steps.run(Phase.PROMOTE, promotion::onProof, StepSummaries::promotion);
            } catch (ActivityFailure f) {
                if (Promotion.provedNothingChanged(f)) throw rollback.rollBack(f);
                throw promotion.holdAfterFailure(f);
            } catch (CanceledFailure aborted) {
                throw rollback.rollBack(aborted);
            }
            rollback.clear();
            String trafficFailure = traffic.switchAfterPromotion();
            new PostPromotion(state, spec, activities, publisher, results).run();
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

    // ---- operator handlers ----

    @Override
    public String approveCutover(Approval approval) {
        state.approval = approval;
        state.approvedAt = now();
        state.note(
                now(),
                "cutover approved by " + approval.approver()
                        + (approval.comment() == null ? "" : ": " + approval.comment()));
        return "approved by " + approval.approver() + "; the workflow re-checks lag and cuts over";
    }

    @Override
    public void validateApproveCutover(Approval approval) {
        reject(OperatorRules.refuseApproval(state, spec, approval, now()));
    }

    @Override
    public void approveCutoverSignal(Approval approval) {
        String refusal = spec == null
                ? "the migration has not started"
                : OperatorRules.refuseApproval(state, spec, approval, now());
        if (refusal != null) {
            String from = approval == null
                            || approval.approver() == null
                            || approval.approver().isBlank()
                    ? "without an approver"
                    : "from " + approval.approver();
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
            return "aborting during promotion: the running attempt is let end, then the target "
                    + spec.target().address()
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
        String refusal =
                request == null || request.reason() == null || request.reason().isBlank()
                        ? "an abort needs a reason"
                        : OperatorRules.refuseAbort(state);
        if (refusal != null) {
            state.note(now(), "abort signal ignored: " + refusal);
            return;
        }
        abortAsked(request);
    }

    @Override
    public String promoteWithoutSource(OperatorDecision decision) {
        state.promoteWithoutSource = decision;
        state.note(
                now(), "promotion without the source's proof decided by " + decision.by() + ": " + decision.reason());
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
            if (MigrationWorkflow.Names.COPY_PROGRESS.equals(name) && state.copied(args.get(0, CopyProgress.class)))
                publisher.publish();
        });
    }

    @Override
    public MigrationStatus status() {
        if (spec == null) return state.beforeTheSpec();
        return state.snapshot(spec, now());
    }

    private static void reject(String refusal) {
        if (refusal != null) throw ApplicationFailure.newNonRetryableFailure(refusal, "Rejected");
    }
}
