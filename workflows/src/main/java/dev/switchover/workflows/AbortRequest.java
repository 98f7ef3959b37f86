package dev.switchover.workflows;

/** An operator's request to stop the migration before promotion; {@code {"by": "...", "reason": "..."}}. */
public record AbortRequest(String by, String reason) {}
