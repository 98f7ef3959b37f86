package dev.switchover.workflows;

/**
 * The migration's phases, named after the runbook's steps. Status, logs, the Web UI's details and
 * the report all speak in these names.
 */
public enum Phase {
  PREFLIGHT("checking both hosts"),
  BENCHMARK("benchmarking the target's disk"),
  PREPARE_SOURCE("preparing the source for replication"),
  BASE_COPY("copying the base backup to the target"),
  CATCH_UP("waiting for the target to catch up"),
  AWAIT_CUTOVER("waiting for cutover approval"),
  FREEZE_WRITES("stopping writes on the source"),
  VERIFY_SYNC("proving the target has the source's last write"),
  PROMOTE("promoting the target"),
  SWITCH_TRAFFIC("switching traffic to the new primary"),
  POST_PROMOTION("fresh backup and final checklist"),
  DONE("migration complete"),
  ROLLING_BACK("undoing changes on the source"),
  ABORTED("aborted; the source is serving"),
  FAILED("failed");

  private final String description;

  Phase(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** From promotion on the target is (or may be) primary, so abort can no longer go back. */
  public boolean isPastPointOfNoReturn() {
    return ordinal() >= PROMOTE.ordinal() && this != ROLLING_BACK && this != ABORTED && this != FAILED;
  }

  public boolean isTerminal() {
    return this == DONE || this == ABORTED || this == FAILED;
  }
}
