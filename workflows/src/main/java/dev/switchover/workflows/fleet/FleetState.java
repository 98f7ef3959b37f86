package dev.switchover.workflows.fleet;

/** Where a fleet stands as a whole, in its status query and result. */
public enum FleetState {
    /** Before the workflow has read its spec: a status query answered in its first moments. */
    STARTING,
    RUNNING,
    DONE,
    FAILED,
    ABORTED;

    public boolean isEnded() {
        return this != STARTING && this != RUNNING;
    }
}
