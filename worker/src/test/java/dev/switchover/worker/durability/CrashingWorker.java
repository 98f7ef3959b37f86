package dev.switchover.worker.durability;

import dev.switchover.worker.SwitchoverWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * The production worker with a {@link CrashPointInterceptor}: {@code CrashingWorker ADDRESS
 * TASK_QUEUE POINT REACHED_FILE}. Run from the shaded jar plus the test classes by
 * {@link WorkerProcess#startCrashing}.
 */
public final class CrashingWorker {
    private CrashingWorker() {}

    public static void main(String[] args) throws InterruptedException {
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(args[0]).build());
        CrashPoint point = CrashPoint.parse(args[2]);
        SwitchoverWorker.start(
                WorkflowClient.newInstance(service),
                args[1],
                null,
                List.of(new CrashPointInterceptor(point, Path.of(args[3]))));
        System.out.println("crashing worker on task queue " + args[1] + ", will stop at " + point);
        Thread.currentThread().join();
    }
}
