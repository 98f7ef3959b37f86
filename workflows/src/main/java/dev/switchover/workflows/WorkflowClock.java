package dev.switchover.workflows;

import io.temporal.workflow.Workflow;
import java.time.Instant;

/** The workflow's own time, the same on every replay: never the machine's clock. */
final class WorkflowClock {
    private WorkflowClock() {}

    static Instant now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis());
    }
}
