package dev.switchover.workflows.fleet;

/** A fleet whose every migration completed. */
public record FleetResult(FleetStatus status) {}
