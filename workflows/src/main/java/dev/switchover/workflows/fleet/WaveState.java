package dev.switchover.workflows.fleet;

/** Where one wave of a fleet stands. */
public enum WaveState {
    PENDING,
    RUNNING,
    DONE,
    /** Ended with a migration that did not finish: the fleet's failure policy stopped it. */
    STOPPED,
    /** Never started: the fleet was aborted or stopped before its turn. */
    SKIPPED
}
