package dev.switchover.activities.engine;

import dev.switchover.workflows.activities.CopyProgress;

/** How a long step tells Temporal it is alive and how far it has come. */
public interface Progress {
    /** Heartbeat; throws if the activity was cancelled, which stops the work. */
    void alive();

    /** Heartbeat with progress, also passed on to the workflow's status now and then. */
    void report(CopyProgress progress);

    Progress NONE = new Progress() {
        @Override
        public void alive() {}

        @Override
        public void report(CopyProgress progress) {}
    };
}
