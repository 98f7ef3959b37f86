package dev.switchover.starter;

import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.client.WorkflowFailedException;
import java.util.ArrayList;
import java.util.List;

/** How a migration ended, in words and as an exit code. */
record Outcome(String word, List<String> lines, MigrationStatus finalStatus, int exitCode) {

    static Outcome completed(MigrationResult result) {
        MigrationStatus status = result == null ? null : result.status();
        List<String> lines = new ArrayList<>();
        if (result != null) {
            lines.add("migration complete: the new primary is " + result.newPrimary());
            if (result.report() != null) {
                lines.add("report: " + result.report().markdown() + " (and "
                        + result.report().json() + ") on the worker");
            }
        }
        boolean done = status == null || status.phase() == Phase.DONE;
        return new Outcome(
                done ? "DONE" : status.phase().name(), lines, status, done ? ExitCodes.OK : ExitCodes.FAILED);
    }

    static Outcome failed(WorkflowFailedException e) {
        String word = switch (e.getWorkflowCloseEventType()) {
            // An abort (the CLI's, or the Web UI's Request Cancellation) before promotion.
            case EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED -> "ABORTED";
            case EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED -> "TERMINATED";
            case EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT -> "TIMED_OUT";
            default ->
                dev.switchover.workflows.Failures.ABORTED.equals(FailureText.applicationType(e)) ? "ABORTED" : "FAILED";
        };
        List<String> lines = new ArrayList<>();
        lines.add("migration " + word.toLowerCase().replace('_', ' '));
        List<String> chain = FailureText.chain(e);
        for (int i = 0; i < chain.size(); i++) lines.add((i == 0 ? "" : "caused by: ") + chain.get(i));
        return new Outcome(word, lines, null, ExitCodes.FAILED);
    }
}
