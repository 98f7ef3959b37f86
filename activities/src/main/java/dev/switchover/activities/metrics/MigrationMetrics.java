package dev.switchover.activities.metrics;

import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;

/**
 * What a migration's steps tell whoever watches the worker (the worker's Prometheus endpoint).
 * Injected into the activities; {@link #NONE} when nobody watches. Every method is called from
 * activity threads and must never throw: metrics are for people, not for the migration.
 */
public interface MigrationMetrics {

    /** The worker started a step (an activity of the given type) of this migration. */
    void stepStarted(String migration, String activityType);

    /** A replication lag sample from the catch-up. */
    void lag(String migration, LagSample sample);

    /** The base copy's progress as its tool reported it. */
    void baseCopy(String migration, CopyProgress progress);

    MigrationMetrics NONE = new MigrationMetrics() {
        @Override
        public void stepStarted(String migration, String activityType) {}

        @Override
        public void lag(String migration, LagSample sample) {}

        @Override
        public void baseCopy(String migration, CopyProgress progress) {}
    };
}
