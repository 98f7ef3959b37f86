package dev.switchover.workflows;

import dev.switchover.workflows.activities.ReportLocation;
import dev.switchover.workflows.status.MigrationStatus;

/** What a completed migration returns: the final status and where its report is. */
public record MigrationResult(String newPrimary, MigrationStatus status, ReportLocation report) {}
