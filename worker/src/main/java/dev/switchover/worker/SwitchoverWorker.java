package dev.switchover.worker;

import dev.switchover.activities.MigrationActivitiesImpl;
import dev.switchover.workflows.MigrationWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;

/** Registers the migration workflow and its activities on a task queue. */
public final class SwitchoverWorker {
  private SwitchoverWorker() {}

  public static WorkerFactory start(WorkflowClient client, String taskQueue) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(taskQueue);
    worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class);
    worker.registerActivitiesImplementations(MigrationActivitiesImpl.fromEnvironment());
    factory.start();
    return factory;
  }
}
