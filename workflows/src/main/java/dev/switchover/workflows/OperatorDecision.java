package dev.switchover.workflows;

/**
 * An operator's decision that only a person can take, with who took it and why, kept in the
 * history and the report; {@code {"by": "...", "reason": "..."}}.
 */
public record OperatorDecision(String by, String reason) {}
