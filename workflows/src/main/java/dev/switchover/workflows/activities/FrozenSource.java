package dev.switchover.workflows.activities;

/**
 * The source after writes were stopped: its final position (LSN or GTID set), which the target
 * must hold before promotion.
 */
public record FrozenSource(String finalPosition, int sessionsEnded) {}
