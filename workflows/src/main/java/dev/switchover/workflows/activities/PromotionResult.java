package dev.switchover.workflows.activities;

/** The target as a primary. {@code alreadyPromoted} when a retry found the work done. */
public record PromotionResult(boolean alreadyPromoted, String newPrimaryPosition, String detail) {}
