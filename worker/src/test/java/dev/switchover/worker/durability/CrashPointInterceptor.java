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

            @Override
            public void init(ActivityExecutionContext context) {
                type = context.getInfo().getActivityType();
                super.init(
                        point.when() == CrashPoint.When.HEARTBEAT && type.equals(point.activityType())
                                ? new HeartbeatTrap(context)
                                : context);
            }

            @Override
            public ActivityOutput execute(ActivityInput input) {
                blockIfReached();
                boolean ours = type.equals(point.activityType())
                        && point.when() != CrashPoint.When.HEARTBEAT
                        && seen.incrementAndGet() == point.occurrence();
                if (ours && point.when() == CrashPoint.When.BEFORE) reach();
                ActivityOutput out = super.execute(input);
                if (ours && point.when() == CrashPoint.When.AFTER) reach();
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
            if (seen.incrementAndGet() >= point.occurrence()) reach();
            super.heartbeat(details);
        }
    }

    private void reach() {
        if (reached.compareAndSet(false, true)) {
            try {
                Path tmp = reachedFile.resolveSibling(reachedFile.getFileName() + ".tmp");
                Files.writeString(tmp, point + " " + Instant.now() + "\n");
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
