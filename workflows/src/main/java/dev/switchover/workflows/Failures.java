package dev.switchover.workflows;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Promise;
import java.util.List;

/**
 * Failure types that retrying cannot fix. Activities and the workflow raise them with a message
 * that says what to do; activity retry policies list them as non-retryable.
 */
public final class Failures {
    /** The target's disk is too slow: pick faster storage or lower benchmark.minIops knowingly. */
    public static final String IOPS_BELOW_FLOOR = "IopsBelowFloor";
    /** A host is not the one the spec names, or is in the wrong state for the step. */
    public static final String WRONG_HOST = "WrongHost";
    /** A password or key was refused. */
    public static final String BAD_CREDENTIALS = "BadCredentials";
    /** The target's data directory holds something that is not ours to delete. */
    public static final String WIPE_REFUSED = "WipeRefused";
    /** A source setting needs a restart the spec does not allow. */
    public static final String NEEDS_RESTART = "NeedsRestart";
    /** Preflight found something that must be fixed by hand (versions, space, reachability). */
    public static final String PREFLIGHT_FAILED = "PreflightFailed";
    /** The SSH host key is unknown or changed. */
    public static final String HOST_KEY_REJECTED = "HostKeyRejected";
    /** A secret reference cannot be resolved on the worker. */
    public static final String SECRET_UNAVAILABLE = "SecretUnavailable";
    /** The target did not catch up by the spec's deadline. */
    public static final String CATCH_UP_DEADLINE = "CatchUpDeadline";
    /** After freezing, the target did not reach the source's final position in time. */
    public static final String SYNC_NOT_REACHED = "SyncNotReached";
    /**
     * The old source is no longer fenced (or has moved past the freeze's final position) when the
     * target is about to be promoted: promoting would leave two writers or lose writes.
     */
    public static final String SOURCE_NOT_FENCED = "SourceNotFenced";
    /** Preflight: a host did not answer at all (no route, nothing listening, no name) for a while. */
    public static final String HOST_UNREACHABLE = "HostUnreachable";
    /** The source cannot be reached to prove it is still fenced: only an operator can decide. */
    public static final String SOURCE_UNREACHABLE = "SourceUnreachable";
    /** The target holds transactions of its own that the source never had. */
    public static final String ERRANT_TRANSACTIONS = "ErrantTransactions";
    /** The WAL held back on the source for the target passed the spec's bound: the slot was released. */
    public static final String RETAINED_WAL_LIMIT = "RetainedWalLimit";
    /** The freeze could not take the source's write lock within cutover.freezeTimeout. */
    public static final String FREEZE_TIMEOUT = "FreezeTimeout";
    /** An operator hook exited non-zero or timed out. */
    public static final String HOOK_FAILED = "HookFailed";
    /** PgBouncer could not pause the database's clients in time: transactions kept running. */
    public static final String TRAFFIC_NOT_PAUSED = "TrafficNotPaused";
    /** The webhook refused an event (a 4xx other than 408 and 429): its URL or credentials are wrong. */
    public static final String WEBHOOK_REJECTED = "WebhookRejected";
    /** The spec does not pass validation. */
    public static final String INVALID_SPEC = "InvalidSpec";
    /** An operator aborted the migration. */
    public static final String ABORTED = "Aborted";

    /** Listed in every activity retry policy. */
    public static final List<String> NON_RETRYABLE = List.of(
            IOPS_BELOW_FLOOR,
            WRONG_HOST,
            BAD_CREDENTIALS,
            WIPE_REFUSED,
            NEEDS_RESTART,
            PREFLIGHT_FAILED,
            HOST_KEY_REJECTED,
            SECRET_UNAVAILABLE,
            SYNC_NOT_REACHED,
            SOURCE_NOT_FENCED,
            SOURCE_UNREACHABLE,
            HOST_UNREACHABLE,
            ERRANT_TRANSACTIONS,
            FREEZE_TIMEOUT,
            RETAINED_WAL_LIMIT,
            HOOK_FAILED,
            TRAFFIC_NOT_PAUSED,
            WEBHOOK_REJECTED,
            INVALID_SPEC);

    private Failures() {}

    public static ApplicationFailure fatal(String type, String message) {
        return ApplicationFailure.newNonRetryableFailure(message, type);
    }

    /** The innermost message: an ActivityFailure's or ChildWorkflowFailure's own text names the call, not the problem. */
    public static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure a) return a.getOriginalMessage();
            if (t.getMessage() != null) message = t.getMessage();
        }
        return message;
    }

    /** Whether a cancellation (an abort, the scope's end) is anywhere in the chain. */
    static boolean isCancellation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CanceledFailure) return true;
        }
        return false;
    }

    /** The type of the first application failure in the chain: the workflow's own failure keeps it. */
    static String failureType(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure a) return a.getType();
        }
        return "MigrationFailed";
    }

    /** Waits for an activity's end, success or failure: its outcome is the caller's next step's business. */
    static void awaitQuietly(Promise<?> p) {
        try {
            p.get();
        } catch (ActivityFailure | CanceledFailure e) {
            // the caller's next step finds out what it needs
        }
    }
}
