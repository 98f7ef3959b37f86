package dev.switchover.workflows.activities;

/**
 * One look at replication from the source's side.
 *
 * @param streaming whether the target is connected and applying changes
 * @param lagBytes how far the target's replayed position is behind the source's current one;
 *     Long.MAX_VALUE when unknown (the target is not connected)
 * @param lagSeconds the engine's own time lag (PostgreSQL's replay_lag, MySQL's
 *     Seconds_Behind_Source); 0 when idle, Double.MAX_VALUE when unknown
 * @param sourcePosition the source's current LSN or executed GTID set
 * @param targetPosition the target's replayed LSN or executed GTID set
 * @param state the engine's words for the replication state (e.g. "streaming/async")
 */
public record LagSample(
    boolean streaming,
    long lagBytes,
    double lagSeconds,
    String sourcePosition,
    String targetPosition,
    String state) {

  /** Under both thresholds and actually streaming. */
  public boolean within(long maxBytes, double maxSeconds) {
    return streaming && lagBytes <= maxBytes && lagSeconds <= maxSeconds;
  }
}
