package dev.switchover.workflows.activities;

/** Evidence that the target has replayed everything up to the source's final position. */
public record SyncProof(String sourceFinalPosition, String targetPosition) {}
