package dev.switchover.worker.durability;

import dev.switchover.testkit.DevServer;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;

/** A real Temporal dev server persisting in {@code dir}, and the test's client of it. */
final class DevServerClient implements AutoCloseable {
    final DevServer server;
    final WorkflowClient client;
    private final WorkflowServiceStubs service;

    DevServerClient(Path dir) {
        server = DevServer.start(dir.resolve("temporal.db"));
        service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(server.address())
                .build());
        client = WorkflowClient.newInstance(service);
    }

    @Override
    public void close() {
        service.shutdownNow();
        server.close();
    }
}
