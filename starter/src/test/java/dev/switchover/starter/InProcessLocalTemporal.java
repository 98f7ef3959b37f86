package dev.switchover.starter;

import dev.switchover.workflows.FakeActivities;
import dev.switchover.workflows.MigrationWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;

/**
 * The embedded Temporal as the launcher would provide it, for tests: registered in
 * META-INF/services, so {@code start} finds it when no server answers.
 */
public class InProcessLocalTemporal implements LocalTemporal {
    static volatile TestWorkflowEnvironment started;

    @Override
    public WorkflowClient start(String namespace, String taskQueue) {
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                .setUseTimeskipping(false)
                .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
                        .setNamespace(namespace)
                        .build())
                .build());
        Worker worker = env.newWorker(taskQueue);
        worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
        worker.registerActivitiesImplementations(new FakeActivities());
        env.start();
        started = env;
        return env.getWorkflowClient();
    }
}
