package dev.switchover.workflows;

/**
 * The migration's phases, named after the runbook's steps. Status, logs, the Web UI's details and
 * the report all speak in these names.
 */
public enum Phase {
    PREFLIGHT("checking both hosts", Stage.BEFORE_CUTOVER),
    BENCHMARK("benchmarking the target's disk", Stage.BEFORE_CUTOVER),
    PREPARE_SOURCE("preparing the source for replication", Stage.BEFORE_CUTOVER),
    BASE_COPY("copying the base backup to the target", Stage.BEFORE_CUTOVER),
    CATCH_UP("waiting for the target to catch up", Stage.BEFORE_CUTOVER),
    AWAIT_CUTOVER("waiting for cutover approval", Stage.BEFORE_CUTOVER),
    FREEZE_WRITES("stopping writes on the source", Stage.CUTOVER),
    VERIFY_SYNC("proving the target has the source's last write", Stage.CUTOVER),
    PROMOTE("promoting the target", Stage.PAST_NO_RETURN),
    SWITCH_TRAFFIC("switching traffic to the new primary", Stage.PAST_NO_RETURN),
    POST_PROMOTION("fresh backup and final checklist", Stage.PAST_NO_RETURN),
    DONE("migration complete", Stage.PAST_NO_RETURN),
    ROLLING_BACK("undoing changes on the source", Stage.GOING_BACK),
    ABORTED("aborted; the source is serving", Stage.GOING_BACK),
    FAILED("failed", Stage.GOING_BACK);

    /**
     * Where a phase stands against the cutover. Said per phase rather than read from the order of
     * the constants, so a phase added later states its own place.
     */
    enum Stage {
        /** The source serves and nothing on it is frozen: an approval may still come, an abort undoes it all. */
        BEFORE_CUTOVER,
        /** The source is frozen, the target not yet promoted: an abort still goes back. */
        CUTOVER,
        /** The target is (or may be) primary: abort can no longer go back. */
        PAST_NO_RETURN,
        /** Going back, or gone back: a rollback, an abort, a failure. */
        GOING_BACK
    }

    private final String description;
    private final Stage stage;

    Phase(String description, Stage stage) {
        this.description = description;
        this.stage = stage;
    }

    public String description() {
        return description;
    }

    /** From promotion on the target is (or may be) primary, so abort can no longer go back. */
    public boolean isPastPointOfNoReturn() {
        return stage == Stage.PAST_NO_RETURN;
    }

    /** The freeze has begun and the migration has not ended: too late to approve. */
    public boolean isCutoverUnderway() {
        return (stage == Stage.CUTOVER || stage == Stage.PAST_NO_RETURN) && !isTerminal();
    }

    public boolean isTerminal() {
        return this == DONE || this == ABORTED || this == FAILED;
    }
}
