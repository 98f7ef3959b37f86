package dev.switchover.workflows.fleet;

import dev.switchover.workflows.Failures;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Promise;
import java.time.Instant;
import java.util.Locale;

/**
 * One migration as the fleet runs it: its child workflow's result, where it stands as it last
 * reported, and which of the fleet's signals it was sent (each at most once).
 */
final class MemberRun {
    final MigrationSpec spec;
    final WaveRun wave;
    MemberState state = MemberState.PENDING;
    Phase phase;
    String detail = "";
    Instant startedAt;
    Instant endedAt;
    long reported = -1;
    Promise<MigrationResult> result;
    boolean approvalSent;
    boolean abortSent;

    MemberRun(MigrationSpec spec, WaveRun wave) {
        this.spec = spec;
        this.wave = wave;
    }

    /** Its child workflow was just started; {@code result} completes when it ends. */
    void started(Promise<MigrationResult> result, Instant at) {
        this.result = result;
        state = MemberState.RUNNING;
        phase = Phase.PREFLIGHT;
        startedAt = at;
    }

    /** Its child workflow ended: done, or failed or aborted, with why in {@code detail}. */
    void finished(Instant at) {
        endedAt = at;
        try {
            MigrationResult r = result.get();
            state = MemberState.DONE;
            phase = Phase.DONE;
            detail = "new primary " + r.newPrimary();
        } catch (ChildWorkflowFailure f) {
            state = aborted(f) ? MemberState.ABORTED : MemberState.FAILED;
            phase = state == MemberState.ABORTED ? Phase.ABORTED : Phase.FAILED;
            detail = alreadyStarted(f)
                    ? "not started: " + spec.workflowId()
                            + " already ran or is running (a completed migration is not run again"
                            + " under its name, nor one started outside the fleet twice). To move this database again, give its spec"
                            + " a new name; if it runs on its own, leave it out of the fleet"
                    : Failures.rootMessage(f);
        }
    }

    private static boolean alreadyStarted(Throwable f) {
        for (Throwable t = f; t != null; t = t.getCause()) {
            if (t instanceof WorkflowExecutionAlreadyStarted) return true;
        }
        return false;
    }

    private static boolean aborted(Throwable f) {
        for (Throwable t = f; t != null; t = t.getCause()) {
            if (t instanceof CanceledFailure) return true;
            if (t instanceof ApplicationFailure a && Failures.ABORTED.equals(a.getType())) return true;
        }
        return false;
    }

    void skip(String why) {
        state = MemberState.SKIPPED;
        detail = "not started: " + why;
    }

    /**
     * Takes the report if it is this running migration's and newer than the last one taken: reports
     * may arrive out of order. Says whether it took it.
     */
    boolean report(MigrationProgress progress) {
        if (!spec.name().equals(progress.migration())
                || state != MemberState.RUNNING
                || progress.sequence() <= reported) {
            return false;
        }
        reported = progress.sequence();
        phase = progress.phase();
        detail = progress.waitingFor() == null ? "" : progress.waitingFor();
        return true;
    }

    boolean unsuccessful() {
        return state == MemberState.FAILED || state == MemberState.ABORTED;
    }

    /** Running and waiting at its cutover gate. */
    boolean atGate() {
        return state == MemberState.RUNNING && phase == Phase.AWAIT_CUTOVER;
    }

    String stateName() {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** Its name, its state and why: "orders failed: ...". */
    String outcome() {
        return spec.name() + " " + stateName() + (detail.isEmpty() ? "" : ": " + detail);
    }
}
