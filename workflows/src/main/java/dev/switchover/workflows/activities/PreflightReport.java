package dev.switchover.workflows.activities;

import java.util.List;

/**
 * What preflight found. Fatal problems are thrown as non-retryable failures by the activity; this
 * is the record of everything it checked, for status and the report.
 */
public record PreflightReport(
        String sourceVersion,
        String targetVersion,
        String sourceDataDirectory,
        String targetDataDirectory,
        long sourceSizeBytes,
        long targetFreeBytes,
        List<SettingChange> settingsToChange,
        List<Check> checks) {}
