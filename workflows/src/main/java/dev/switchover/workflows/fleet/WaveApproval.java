package dev.switchover.workflows.fleet;

/**
 * An operator's go-ahead for every migration of one wave; the Web UI's signal takes
 * {@code {"wave": "canary", "approver": "alice", "comment": "CHG-4711"}}.
 */
public record WaveApproval(String wave, String approver, String comment) {}
