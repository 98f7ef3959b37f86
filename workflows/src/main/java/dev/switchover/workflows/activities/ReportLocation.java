package dev.switchover.workflows.activities;

/** Where the worker wrote the migration's report. */
public record ReportLocation(String json, String markdown) {}
