package dev.switchover.workflows.spec;

/** Where the worker writes the migration's report (JSON and Markdown). */
public record ReportSpec(String directory) {

    ReportSpec withDefaults() {
        return new ReportSpec(directory == null ? "reports" : directory);
    }
}
