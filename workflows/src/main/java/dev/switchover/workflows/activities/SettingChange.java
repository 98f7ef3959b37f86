package dev.switchover.workflows.activities;

/**
 * A source setting replication needs changed. {@code needsRestart} is true when the server only
 * takes the new value at restart (PostgreSQL's context = postmaster, MySQL's read-only variables).
 */
public record SettingChange(String name, String current, String required, boolean needsRestart, String howTo) {}
