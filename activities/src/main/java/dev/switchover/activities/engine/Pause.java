package dev.switchover.activities.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Waiting inside an activity: an interrupt (the worker shutting down) ends the wait with an error. */
public final class Pause {
    private Pause() {}

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Polls {@code condition} every {@code every} until it holds or {@code limit} has passed; the caller checks again. */
    public static void until(Duration limit, Duration every, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) return;
            sleep(every);
        }
    }
}
