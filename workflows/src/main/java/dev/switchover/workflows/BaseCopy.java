package dev.switchover.workflows;

import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/** The base copy, with the WAL our slot holds back on the source watched while it runs. */
record BaseCopy(MigrationSpec spec, MigrationActivities activities, LagSampler lag, Polling polling) {
    private static final Duration RETENTION_WATCH = Duration.ofSeconds(30);

    /**
     * Our slot holds WAL back on the source from PREPARE_SOURCE on, and a copy takes hours: the
     * retained WAL is sampled while the copy runs, shown in status and bounded as in the catch-up.
     * Past the bound the copy is cancelled and the rollback releases the slot.
     */
    BaseCopyResult run(SourcePreparation preparation) {
        if (Workflow.getVersion("retention-during-copy", Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION
                // Only a slot holds anything back during the copy (a MySQL replica is set up after it).
                || preparation == null
                || !preparation.createdSlot()) {
            return activities.baseCopy(spec);
        }
        List<Promise<BaseCopyResult>> copy = new java.util.ArrayList<>(1);
        CancellationScope copying =
                Workflow.newCancellationScope(() -> copy.add(Async.function(activities::baseCopy, spec)));
        copying.run();
        Duration every = polling.interval().compareTo(RETENTION_WATCH) > 0 ? polling.interval() : RETENTION_WATCH;
        while (!Workflow.await(every, () -> copy.get(0).isCompleted())) {
            try {
                lag.sample();
            } catch (ApplicationFailure bound) {
                copying.cancel("stopped: " + bound.getOriginalMessage());
                Failures.awaitQuietly(copy.get(0));
                throw bound;
            }
        }
        return copy.get(0).get();
    }
}
