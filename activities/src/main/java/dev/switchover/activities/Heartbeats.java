package dev.switchover.activities;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

  static <T> T around(Supplier<T> step) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    var beating = BEATS.scheduleAtFixedRate(() -> {
      try {
        context.heartbeat(null);
      } catch (RuntimeException cancelledOrGone) {
        // the step itself ends on its own terms; a cancellation reaches it through its server calls
      }
    }, EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    try {
      return step.get();
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
