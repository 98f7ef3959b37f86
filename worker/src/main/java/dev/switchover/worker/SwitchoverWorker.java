package dev.switchover.worker;

import dev.switchover.activities.MigrationActivitiesImpl;
import dev.switchover.activities.metrics.MigrationMetrics;
import dev.switchover.activities.notify.WebhookSender;
import dev.switchover.worker.metrics.WorkerMetrics;
import dev.switchover.workflows.MigrationWorkflowImpl;
import dev.switchover.workflows.fleet.FleetWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.ArrayList;
import java.util.List;

/** Registers the migration and fleet workflows and the activities on a task queue. */
public final class SwitchoverWorker {
    private SwitchoverWorker() {}

    public static WorkerFactory start(WorkflowClient client, String taskQueue) {
        return start(client, taskQueue, null);
    }

    /** With {@code metrics} (may be null): the migrations' gauges; the SDK's come from the client's stubs. */
    public static WorkerFactory start(WorkflowClient client, String taskQueue, WorkerMetrics metrics) {
        return start(client, taskQueue, metrics, List.of());
    }

    /** With {@code interceptors} around every workflow and activity, after the metrics' own. */
    public static WorkerFactory start(
            WorkflowClient client, String taskQueue, WorkerMetrics metrics, List<WorkerInterceptor> interceptors) {
        List<WorkerInterceptor> all = new ArrayList<>();
        if (metrics != null) all.add(metrics.phaseInterceptor());
        all.addAll(interceptors);
        WorkerFactoryOptions options = WorkerFactoryOptions.newBuilder()
                .setWorkerInterceptors(all.toArray(WorkerInterceptor[]::new))
                .build();
        WorkerFactory factory = WorkerFactory.newInstance(withBoundedFailures(client), options);
        Worker worker = factory.newWorker(taskQueue);
        worker.registerWorkflowImplementationTypes(MigrationWorkflowImpl.class, FleetWorkflowImpl.class);
        worker.registerActivitiesImplementations(
                MigrationActivitiesImpl.fromEnvironment(metrics != null ? metrics.migrations() : MigrationMetrics.NONE),
                WebhookSender.fromEnvironment());
        factory.start();
        return factory;
    }

    /** {@code client}, its failures kept inside the server's size limit (see {@link BoundedFailureConverter}). */
    private static WorkflowClient withBoundedFailures(WorkflowClient client) {
        return WorkflowClient.newInstance(
                client.getWorkflowServiceStubs(),
                WorkflowClientOptions.newBuilder(client.getOptions())
                        .setDataConverter(DefaultDataConverter.newDefaultInstance()
                                .withFailureConverter(new BoundedFailureConverter()))
                        .build());
    }
}
