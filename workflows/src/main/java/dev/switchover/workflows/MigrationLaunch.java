package dev.switchover.workflows;

import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;

/**
 * A migration started the plain way: under the spec's workflow id, on the switchover task queue,
 * with no other options. The workflow's tests, the bench, the demo and the lab's tests start one so;
 * it lives here because the workflow's own tests can reach nothing but this module. The CLI's
 * start sets its own options (the queue it was given, the id's conflict and reuse rules, a summary).
 */
public final class MigrationLaunch {
    private MigrationLaunch() {}

    /** Starts the migration and returns its stub, bound to the run it started. */
    public static MigrationWorkflow start(WorkflowClient client, MigrationSpec spec) {
        MigrationWorkflow wf = client.newWorkflowStub(
                MigrationWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(spec.workflowId())
                        .setTaskQueue(SwitchoverQueues.TASK_QUEUE)
                        .build());
        WorkflowClient.start(wf::migrate, spec, null);
        return wf;
    }
}
