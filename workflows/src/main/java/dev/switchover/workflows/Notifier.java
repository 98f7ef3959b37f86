package dev.switchover.workflows;

import dev.switchover.workflows.activities.Notification;
import dev.switchover.workflows.activities.NotificationActivities;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.WebhookSpec;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The migration's events on their way to the webhook: queued in the order they happen and sent one
 * at a time by a single loop beside the migration, so the receiver gets them in order and the
 * migration never waits for a slow or dead receiver. An event that cannot be delivered is noted in
 * the status and the next one goes.
 */
final class Notifier {
    /** How long the end of a migration waits for its last events: long enough for a retry or two. */
    static final Duration FLUSH = Duration.ofMinutes(2);

    private final NotificationActivities activities =
            Workflow.newActivityStub(NotificationActivities.class, ActivityProfiles.NOTIFY);
    private final MigrationState state;
    private final MigrationSpec spec;
    private final WebhookSpec webhook;
    private final Deque<Notification> queue = new ArrayDeque<>();
    private int sequence;
    private Phase announced;

    private Notifier(MigrationState state, MigrationSpec spec) {
        this.state = state;
        this.spec = spec;
        this.webhook = spec.notifications().webhook();
    }

    /**
     * The notifier for {@code spec}, its sender running; null when the spec has none, so that a
     * migration without notifications issues no command it did not issue before they existed.
     */
    static Notifier start(MigrationState state, MigrationSpec spec) {
        if (spec.notifications() == null || spec.notifications().webhook() == null) return null;
        Notifier n = new Notifier(state, spec);
        // Detached: an abort cancels the migration's steps, not the news of it.
        Workflow.newDetachedCancellationScope(() -> Async.procedure(n::sendForever))
                .run();
        return n;
    }

    /** Queues a phase_changed event if the phase is not the one last announced. */
    void phase(Phase phase) {
        if (phase == announced) return;
        Phase previous = announced;
        announced = phase;
        enqueue(Notification.PHASE_CHANGED, previous, phase.description());
    }

    void approvalAwaited(String how) {
        enqueue(Notification.APPROVAL_AWAITED, null, how);
    }

    void failed(String failure) {
        enqueue(Notification.FAILED, null, failure);
    }

    /**
     * Waits, at most {@link #FLUSH}, for the queued events to be delivered or given up on; called as the
     * migration ends, whose outcome is decided by then. What is still queued after it is noted.
     */
    void flush() {
        if (queue.isEmpty()) return;
        // Detached: a workflow cancelled from outside would otherwise end the wait at once.
        Workflow.newDetachedCancellationScope(() -> {
                    if (!Workflow.await(FLUSH, queue::isEmpty)) {
                        state.note(
                                now(),
                                queue.size() + " webhook event(s) not delivered within " + FLUSH.toMinutes()
                                        + " minutes of the migration's end were dropped, from #"
                                        + queue.peek().sequence() + " ("
                                        + queue.peek().event() + ")");
                    }
                })
                .run();
    }

    /**
     * Waits, at most {@link #FLUSH}, for the queued events to go out before the run continues as
     * new, or until {@code stop} (an abort: the caller rolls back instead).
     */
    void drain(java.util.function.BooleanSupplier stop) {
        Workflow.await(FLUSH, () -> queue.isEmpty() || stop.getAsBoolean());
    }

    /** How many events were numbered so far. */
    int sequence() {
        return sequence;
    }

    /** The phase the receiver last heard of. */
    Phase announced() {
        return announced;
    }

    /** Goes on from an earlier run's numbering and last announced phase. */
    void resume(int numbered, Phase lastAnnounced) {
        sequence = numbered;
        announced = lastAnnounced;
    }

    private void enqueue(String event, Phase previous, String message) {
        queue.add(new Notification(
                ++sequence,
                event,
                spec.name(),
                Workflow.getInfo().getWorkflowId(),
                state.phase,
                previous,
                now().toString(),
                message,
                spec.source().address(),
                spec.target().address()));
    }

    /** The one sender: the head of the queue leaves it only once delivered or given up on. */
    private void sendForever() {
        while (true) {
            Workflow.await(() -> !queue.isEmpty());
            Notification next = queue.peek();
            try {
                activities.notifyWebhook(webhook, next);
            } catch (ActivityFailure f) {
                state.note(
                        now(),
                        "webhook event #" + next.sequence() + " (" + next.event() + " " + next.phase()
                                + ") was not delivered: " + Failures.rootMessage(f));
            }
            queue.poll();
        }
    }

    private static Instant now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis());
    }
}
