package dev.switchover.activities;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Heartbeats every few seconds while a step blocks in calls that cannot report progress
 * themselves (a freeze waiting out cutover.freezeTimeout, a promotion waiting for the target's
 * replay): the step's heartbeat timeout then catches a dead worker, not a slow server.
 */
final class Heartbeats {
    private static final long EVERY_SECONDS = 5;
    private static final ScheduledExecutorService BEATS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "activity-heartbeats");
        t.setDaemon(true);
        return t;
    });

    private Heartbeats() {}

    /**
     * Runs {@code step} while heartbeating. A cancellation does not interrupt it (a promotion cut
     * in half is worse than one let end); it is remembered, and a step that then fails ends as
     * cancelled, so it is not retried. A step that succeeds reports its result, which is the truth.
     */
    static <T> T around(Supplier<T> step) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        AtomicReference<ActivityCompletionException> cancelled = new AtomicReference<>();
        var beating = BEATS.scheduleAtFixedRate(
                () -> {
                    try {
                        context.heartbeat(null);
                    } catch (ActivityCompletionException e) {
                        cancelled.compareAndSet(null, e);
                    } catch (RuntimeException gone) {
                        // the next beat tries again; the heartbeat timeout is the server's business
                    }
                },
                EVERY_SECONDS,
                EVERY_SECONDS,
                TimeUnit.SECONDS);
        try {
            return step.get();
        } catch (RuntimeException failed) {
            ActivityCompletionException c = cancelled.get();
            if (c != null) {
                c.addSuppressed(failed);
                throw c;
            }
            throw failed;
        } finally {
            beating.cancel(false);
        }
    }

    static void around(Runnable step) {
        around(() -> {
            step.run();
            return null;
        });
    }
}
