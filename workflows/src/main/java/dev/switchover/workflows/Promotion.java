package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The point of no return: the target is promoted only on the source's proof that it is still
 * fenced (or an operator's decision that it is gone), held with the proof tried again while the
 * source cannot be reached, and an abort honoured until the target answers that it takes writes.
 */
record Promotion(
        MigrationState state,
        MigrationSpec spec,
        MigrationActivities activities,
        StatusPublisher publisher,
        StepResults results,
        TrafficRoute traffic) {

    private static final List<String> NOTHING_PROMOTED = List.of(
            Failures.WRONG_HOST, Failures.SYNC_NOT_REACHED, Failures.SOURCE_NOT_FENCED, Failures.ERRANT_TRANSACTIONS);
    private static final Duration SOURCE_PROOF_RETRY = Duration.ofSeconds(30);

    /**
     * Promotes once the source proves it is still fenced. While the source cannot be reached the
     * target is not promoted and nothing waits silently: the proof is tried again every 30 s, status
     * says what the operator can do, and an abort is accepted (nothing was promoted).
     */
    PromotionResult onProof() {
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
                state.waitingFor = Failures.rootMessage(f)
                        + " Choose: start the source's server again (the proof is tried again at "
                        + now().plus(retry).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        + " and the target promoted once it passes); or `./switchover abort " + id
                        + " --reason …` (the target"
                        + " stays a standby, the source is made writable again once it answers); or, if the source is gone for"
                        + " good, `./switchover promote-without-source " + id
                        + " --reason …` (the target is promoted holding the"
                        + " freeze's final position " + results.frozen.finalPosition()
                        + "; the old source must never be started as a"
                        + " primary again).";
                if (!noted) state.note(now(), "HELD before promotion: " + Failures.rootMessage(f));
                noted = true;
                publisher.publish();
                if (Workflow.await(retry, () -> state.abort != null || state.promoteWithoutSource != null)) {
                    if (state.abort != null) {
                        state.promotionHeld = false;
                        throw new CanceledFailure(
                                "aborted by " + state.abort.by() + " while the source could not be reached");
                    }
                    try {
                        return abortably(() -> activities.promoteWithoutSource(spec, results.frozen));
                    } catch (ActivityFailure refused) {
                        state.note(
                                now(),
                                "promotion without the source's proof failed: " + Failures.rootMessage(refused)
                                        + "; still held");
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
            state.waitingFor =
                    "abort requested by " + state.abort.by() + ": letting the running promotion attempt end, then"
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
            state.note(
                    now(),
                    "the abort by " + state.abort.by() + " came too late: the target "
                            + spec.target().address()
                            + " had already been promoted and takes writes, so the migration goes forward");
            state.abort = null;
        }
        return r;
    }

    /** Promotion refused before acting (wrong host, target not in sync, source not fenced): nothing changed, so roll back. */
    static boolean provedNothingChanged(ActivityFailure f) {
        return f.getCause() instanceof ApplicationFailure a && NOTHING_PROMOTED.contains(a.getType());
    }

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

    /**
     * A promotion that failed after it may have acted: the target may or may not be the primary, so
     * the source stays frozen and the operator is told how to find out and what to do either way.
     */
    ApplicationFailure holdAfterFailure(ActivityFailure f) {
        String message = "promotion of " + spec.target().address() + " did not complete: " + Failures.rootMessage(f)
                + ". The source " + spec.source().address()
                + " stays read-only to avoid two primaries. Check whether the"
                + " target is in recovery (SELECT pg_is_in_recovery() / SHOW REPLICA STATUS): if it is primary, point"
                + " clients at it; if not, make the source writable again by hand."
                + traffic.promotionIncompleteAdvice();
        state.failure = message;
        state.phase = Phase.FAILED;
        state.note(now(), message);
        publisher.publish();
        publisher.writeReportQuietly();
        publisher.notifyFailed(message);
        return ApplicationFailure.newNonRetryableFailureWithCause(message, "PromotionIncomplete", f);
    }
}
