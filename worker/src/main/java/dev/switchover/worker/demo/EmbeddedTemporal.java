package dev.switchover.worker.demo;

import dev.switchover.worker.SwitchoverWorker;
import dev.switchover.workflows.MigrationLaunch;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.StepRecord;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An in-memory Temporal server and the production worker in this process, for the demo and the
 * benchmarks: a migration then needs nothing but the lab, and nothing outlives the process.
 */
public final class EmbeddedTemporal implements AutoCloseable {
    /** Null when the server is somebody else's (see {@link #workerFor}). */
    private final TestServer.PortBoundTestServer server;

    private final String address;
    private final WorkflowServiceStubs service;
    private final WorkflowClient client;
    private final WorkerFactory factory;

    private EmbeddedTemporal(TestServer.PortBoundTestServer server, String address) {
        this.server = server;
        this.address = address;
        this.service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        this.client = WorkflowClient.newInstance(service);
        this.factory = SwitchoverWorker.start(client, SwitchoverQueues.TASK_QUEUE);
    }

    public static EmbeddedTemporal start() throws IOException {
        int port = freePort();
        // Time skipping locked: the workflow's timers and step times are wall-clock time.
        return new EmbeddedTemporal(TestServer.createPortBoundServer(port, true), "127.0.0.1:" + port);
    }

    /**
     * The production worker in this process against a running Temporal server (a real one, whose
     * persistence a measurement must include); closing it leaves the server running.
     */
    public static EmbeddedTemporal workerFor(String address) {
        return new EmbeddedTemporal(null, address);
    }

    public String address() {
        return address;
    }

    /**
     * Runs the migration to its end, handing {@code progress} the steps so far every half second
     * (and once more at the end), and returns its result.
     */
    public MigrationResult migrate(MigrationSpec spec, Consumer<List<StepRecord>> progress) throws Exception {
        MigrationWorkflow wf = MigrationLaunch.start(client, spec);
        // By its id: a migration that waits long continues as new, and its current run answers.
        wf = client.newWorkflowStub(MigrationWorkflow.class, spec.workflowId());
        CompletableFuture<MigrationResult> result = WorkflowStub.fromTyped(wf).getResultAsync(MigrationResult.class);
        while (!result.isDone()) {
            try {
                progress.accept(wf.status().steps());
            } catch (RuntimeException e) {
                // the query races the workflow's end; the result says how it went
            }
            Thread.sleep(500);
        }
        MigrationResult done = result.get();
        progress.accept(done.status().steps());
        return done;
    }

    @Override
    public void close() throws InterruptedException {
        factory.shutdownNow();
        factory.awaitTermination(5, TimeUnit.SECONDS);
        service.shutdownNow();
        if (server != null) server.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
