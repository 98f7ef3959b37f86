package dev.switchover.workflows.activities;

/** The first backup of the new primary's timeline. */
public record BackupResult(boolean taken, String location, long bytes, String detail) {}
