package dev.switchover.workflows.activities;

import java.util.ArrayList;
import java.util.List;

/**
 * What preflight found. Fatal problems are thrown as non-retryable failures by the activity; this
 * is the record of everything it checked, for status and the report.
 *
 * @param method how the migration replicates from here on: the spec's replication.method, or what
 *     preflight resolved its {@code auto} to; null where the spec's own stands (MySQL and MariaDB,
 *     and every report recorded before the field existed)
 */
public record PreflightReport(
        String sourceVersion,
        String targetVersion,
        String sourceDataDirectory,
        String targetDataDirectory,
        long sourceSizeBytes,
        long targetFreeBytes,
        List<SettingChange> settingsToChange,
        List<Check> checks,
        String method) {

    public PreflightReport(
            String sourceVersion,
            String targetVersion,
            String sourceDataDirectory,
            String targetDataDirectory,
            long sourceSizeBytes,
            long targetFreeBytes,
            List<SettingChange> settingsToChange,
            List<Check> checks) {
        this(
                sourceVersion,
                targetVersion,
                sourceDataDirectory,
                targetDataDirectory,
                sourceSizeBytes,
                targetFreeBytes,
                settingsToChange,
                checks,
                null);
    }

    /** The same findings with {@code more} checks, such as the traffic switch's. */
    public PreflightReport withChecks(List<Check> more) {
        List<Check> all = new ArrayList<>(checks);
        all.addAll(more);
        return new PreflightReport(
                sourceVersion,
                targetVersion,
                sourceDataDirectory,
                targetDataDirectory,
                sourceSizeBytes,
                targetFreeBytes,
                settingsToChange,
                List.copyOf(all),
                method);
    }

    /** The same findings, the migration running by {@code resolved}. */
    public PreflightReport withMethod(String resolved) {
        return new PreflightReport(
                sourceVersion,
                targetVersion,
                sourceDataDirectory,
                targetDataDirectory,
                sourceSizeBytes,
                targetFreeBytes,
                settingsToChange,
                checks,
                resolved);
    }
}
