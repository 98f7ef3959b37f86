package dev.switchover.activities;

import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.activities.CopyProgress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats for the running activity, and progress passed to the workflow by signal so that its
 * status and the Web UI show it. Signals are spaced out: each is an event in the history.
 */
final class ActivityProgress implements Progress {
    private static final Logger log = LoggerFactory.getLogger(ActivityProgress.class);
    private static final Duration SIGNAL_EVERY = Duration.ofSeconds(10);

    private final ActivityExecutionContext context = Activity.getExecutionContext();
    private final Consumer<CopyProgress> watcher;
    private Instant lastSignal = Instant.EPOCH;

    ActivityProgress() {
        this(progress -> {});
    }

    /** Also hands every report to {@code watcher} (the worker's metrics), unthrottled. */
    ActivityProgress(Consumer<CopyProgress> watcher) {
        this.watcher = watcher;
    }

    @Override
    public void alive() {
        context.heartbeat(null);
    }

    @Override
    public void reached(String stage) {
        context.heartbeat(stage);
    }

    @Override
    public void report(CopyProgress progress) {
        context.heartbeat(progress);
        watcher.accept(progress);
        Instant now = Instant.now();
        boolean finished = progress.totalBytes() > 0 && progress.doneBytes() >= progress.totalBytes();
        if (Duration.between(lastSignal, now).compareTo(SIGNAL_EVERY) < 0 && !finished) return;
        lastSignal = now;
        try {
            context.getWorkflowClient()
                    .newUntypedWorkflowStub(context.getInfo().getWorkflowId())
                    .signal(MigrationWorkflow.Names.COPY_PROGRESS, progress);
        } catch (RuntimeException e) {
            // Progress is for people watching; a lost update must not fail the copy.
            log.debug("could not pass copy progress to the workflow: {}", e.toString());
        }
    }
}
