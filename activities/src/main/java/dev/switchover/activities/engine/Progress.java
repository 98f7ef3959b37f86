package dev.switchover.activities.engine;

import dev.switchover.workflows.activities.CopyProgress;

/** How a long step tells Temporal it is alive and how far it has come. */
public interface Progress {
    /** Heartbeat; throws if the activity was cancelled, which stops the work. */
    void alive();

    /** Heartbeat with progress, also passed on to the workflow's status now and then. */
    void report(CopyProgress progress);

    /**
     * Heartbeat naming the stage a step without byte progress has reached, which the pending
     * activity's details show (and a test's crash point can stop at).
     */
    default void reached(String stage) {
        alive();
    }

    Progress NONE = new Progress() {
        @Override
        public void alive() {}

        @Override
        public void report(CopyProgress progress) {}
    };
}
