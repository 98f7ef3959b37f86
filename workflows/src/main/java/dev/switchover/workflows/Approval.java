package dev.switchover.workflows;

/**
 * An operator's go-ahead for cutover. The Web UI's "send signal" takes exactly this JSON:
 * {@code {"approver": "alice", "comment": "change ticket 4711"}}.
 */
public record Approval(String approver, String comment) {}
