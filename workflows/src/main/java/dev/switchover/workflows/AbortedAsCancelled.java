package dev.switchover.workflows;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * How an aborted migration ends in Temporal's eyes. Temporal records a workflow as CANCELED only if
 * a cancellation was requested and it ends with CanceledFailure: the CLI's abort requests one after
 * its update is accepted (as the Web UI's Request Cancellation does), so the UI shows an abort as an
 * abort, not a red FAILED.
 */
final class AbortedAsCancelled {
    private static final Duration CANCELLATION_FOLLOWS = Duration.ofSeconds(5);

    private AbortedAsCancelled() {}

    /**
     * Runs {@code migration}, on the workflow method's own thread; {@code abortByUpdate} tells whether
     * the abort came by the CLI's update, which requests a cancellation next.
     */
    static MigrationResult run(Supplier<MigrationResult> migration, BooleanSupplier abortByUpdate) {
        CancellationScope root = CancellationScope.current();
        try {
            return migration.get();
        } catch (ApplicationFailure f) {
            if (Failures.ABORTED.equals(f.getType())
                    && Workflow.getVersion("aborted-as-cancelled", Workflow.DEFAULT_VERSION, 1) == 1) {
                if (abortByUpdate.getAsBoolean() && !root.isCancelRequested()) {
                    // The CLI requests the cancellation right after its abort is accepted; a quick rollback
                    // may be done first. Signals (the Web UI's, a fleet's) come with none and end FAILED.
                    Workflow.newDetachedCancellationScope(
                                    () -> Workflow.await(CANCELLATION_FOLLOWS, root::isCancelRequested))
                            .run();
                }
                // Temporal keeps no message with a cancellation; the rollback's words stay in the status.
                if (root.isCancelRequested()) throw new CanceledFailure(f.getOriginalMessage());
            }
            throw f;
        }
    }
}
