package dev.switchover.worker.durability;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityExecutionContextBase;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops the worker dead at its {@link CrashPoint}: the thread that reaches it writes
 * {@code reachedFile} and then blocks, as does every thread after it, so that the test can
 * SIGKILL a process frozen exactly there. Blocking rather than exiting keeps the kill a real
 * SIGKILL from outside and keeps anything else from being reported in the meantime.
 */
final class CrashPointInterceptor extends WorkerInterceptorBase {
    private final CrashPoint point;
    private final Path reachedFile;
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicBoolean reached = new AtomicBoolean();

    CrashPointInterceptor(CrashPoint point, Path reachedFile) {
        this.point = point;
        this.reachedFile = reachedFile;
    }

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityInboundCallsInterceptorBase(next) {
            private String type;
            private int attempt;

            @Override
            public void init(ActivityExecutionContext context) {
                type = context.getInfo().getActivityType();
                attempt = context.getInfo().getAttempt();
                super.init(
                        point.when() == CrashPoint.When.HEARTBEAT && type.equals(point.activityType())
                                ? new HeartbeatTrap(context)
                                : context);
            }

            @Override
            public ActivityOutput execute(ActivityInput input) {
                blockIfReached();
                boolean named = type.equals(point.activityType());
                // "before" counts the starts, "after" the completions: an attempt that failed (a
                // connection refused under load, then retried) has not happened "after" yet, and
                // counting it would let the point pass by and the migration run on unfrozen.
                if (named && point.when() == CrashPoint.When.BEFORE && seen.incrementAndGet() == point.occurrence())
                    reach(attempt);
                ActivityOutput out = super.execute(input);
                if (named && point.when() == CrashPoint.When.AFTER && seen.incrementAndGet() == point.occurrence())
                    reach(attempt);
                return out;
            }
        };
    }

    private final class HeartbeatTrap extends ActivityExecutionContextBase {
        HeartbeatTrap(ActivityExecutionContext next) {
            super(next);
        }

        @Override
        public <V> void heartbeat(V details) {
            if (point.counts(details) && seen.incrementAndGet() >= point.occurrence())
                reach(getInfo().getAttempt());
            super.heartbeat(details);
        }
    }

    /** Freezes here; the file says where, in which attempt of the activity ({@code attempt N}), and when. */
    private void reach(int attempt) {
        if (reached.compareAndSet(false, true)) {
            try {
                Path tmp = reachedFile.resolveSibling(reachedFile.getFileName() + ".tmp");
                Files.writeString(tmp, point + " attempt " + attempt + " " + Instant.now() + "\n");
                Files.move(tmp, reachedFile, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        blockIfReached();
    }

    private void blockIfReached() {
        while (reached.get()) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // the SDK interrupts on shutdown; only SIGKILL ends this
            }
        }
    }
}
