package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.StepRecord.Outcome;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The way back before promotion: every change to the source has its undo registered here before
 * it is made, and an abort or a failure runs them, newest first. From promotion on the target may
 * be the primary and nothing is undone.
 */
final class Rollback {
    /** The undo that lifts the freeze: whether it ran, and ran well, decides what the failure may say of the source. */
    static final String UNFREEZE = "make the source writable again";

    private record Undo(String what, Runnable action) {}

    private final Deque<Undo> undos = new ArrayDeque<>();
    private final MigrationState state;
    private final MigrationSpec spec;
    private final StatusPublisher publisher;

    Rollback(MigrationState state, MigrationSpec spec, StatusPublisher publisher) {
        this.state = state;
        this.spec = spec;
        this.publisher = publisher;
    }

    /** Registers {@code action}, which undoes the change about to be made; {@code what} names it for the status. */
    void register(String what, Runnable action) {
        undos.push(new Undo(what, action));
    }

    /** The target may be the primary now: going back would risk two primaries, so nothing is undone. */
    void clear() {
        undos.clear();
    }

    /**
     * Undoes the source's changes in reverse order after an abort or a failure before promotion,
     * in a scope that the abort itself cannot cancel, and returns the failure the workflow ends with.
     */
    ApplicationFailure rollBack(TemporalFailure cause) {
        boolean aborted = state.abort != null || Failures.isCancellation(cause);
        String why = aborted
                ? "aborted by "
                        + (state.abort == null ? "a cancel request" : state.abort.by() + ": " + state.abort.reason())
                : Failures.rootMessage(cause);
        state.failure = why;
        state.phase = Phase.ROLLING_BACK;
        state.waitingFor = "undoing changes on the source";
        if (!undos.isEmpty()) state.note(now(), "rolling back: " + why);
        publisher.publish();
        StringBuilder undone = new StringBuilder();
        List<String> notUndone = new ArrayList<>();
        boolean[] froze = {false};
        Workflow.newDetachedCancellationScope(() -> {
                    while (!undos.isEmpty()) {
                        Undo undo = undos.pop();
                        froze[0] |= undo.what().equals(UNFREEZE);
                        state.begin(Phase.ROLLING_BACK, now());
                        try {
                            undo.action().run();
                            state.end(Outcome.UNDONE, undo.what(), now());
                            undone.append(undone.length() == 0 ? "" : "; ").append(undo.what());
                        } catch (ActivityFailure f) {
                            state.end(Outcome.FAILED, undo.what() + ": " + Failures.rootMessage(f), now());
                            state.note(
                                    now(),
                                    "COULD NOT " + undo.what() + ": " + Failures.rootMessage(f) + " — do it by hand");
                            notUndone.add(undo.what() + " (" + Failures.rootMessage(f) + ")");
                        }
                    }
                    state.phase = aborted ? Phase.ABORTED : Phase.FAILED;
                    state.waitingFor = "";
                    state.paused = false;
                    publisher.publish();
                    publisher.writeReportQuietly();
                })
                .run();
        String message = why + (why.endsWith(".") ? "" : ".") + " " + sourceAfterRollback(froze[0], undone, notUndone);
        // The whole of it in the status too: an abort that ends CANCELED carries no message in Temporal.
        state.failure = message;
        if (aborted) {
            publisher.flush();
        } else {
            publisher.notifyFailed(message);
        }
        return aborted
                ? Failures.fatal(Failures.ABORTED, message)
                : ApplicationFailure.newNonRetryableFailureWithCause(message, Failures.failureType(cause), cause);
    }

    /**
     * What the rolled-back migration leaves, true to what the undo steps did: the source is still
     * the primary (nothing was promoted), but it takes writes again only if it was never frozen or
     * the freeze was lifted; whatever could not be undone is named for the operator.
     */
    private String sourceAfterRollback(boolean froze, CharSequence undone, List<String> notUndone) {
        String source = spec.source().address();
        boolean stillFrozen = notUndone.stream().anyMatch(u -> u.startsWith(UNFREEZE));
        String writes = stillFrozen
                ? ", but it may still refuse writes: lift the freeze by hand"
                : froze ? " and takes writes again" : "";
        return "Nothing was promoted: the source " + source + " is still the primary" + writes
                + (undone.length() == 0 ? "" : "; undone: " + undone)
                + (notUndone.isEmpty() ? "" : "; NOT undone, do it by hand: " + String.join("; ", notUndone)) + ".";
    }
}
