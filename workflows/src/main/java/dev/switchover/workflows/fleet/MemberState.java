package dev.switchover.workflows.fleet;

/** Where one migration of a fleet stands, as the fleet sees it. */
public enum MemberState {
    PENDING,
    RUNNING,
    DONE,
    FAILED,
    ABORTED,
    /** Never started: its wave was stopped by a failure or the fleet was aborted. */
    SKIPPED;

    public boolean isEnded() {
        return this != PENDING && this != RUNNING;
    }
}
