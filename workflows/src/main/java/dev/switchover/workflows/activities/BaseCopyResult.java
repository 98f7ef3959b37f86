package dev.switchover.workflows.activities;

/**
 * The finished base copy. {@code alreadyDone} is true when a retried activity found a complete
 * copy of this source and skipped the work.
 */
public record BaseCopyResult(long bytes, long seconds, boolean alreadyDone, String method) {}
