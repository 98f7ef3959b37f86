package dev.switchover.worker;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The SDK's in-process Temporal server on a local port, for a newcomer with no Temporal running.
 * It keeps everything in memory: a migration does not survive this process, which is why the
 * README points production use at a real server (TEMPORAL_ADDRESS).
 */
final class EmbeddedTemporal implements Closeable {
    static final String HOST = "127.0.0.1";
    static final int PORT = 7233;

    private final TestServer.PortBoundTestServer server;
    private final WorkflowServiceStubs service;

    private EmbeddedTemporal(TestServer.PortBoundTestServer server, WorkflowServiceStubs service) {
        this.server = server;
        this.service = service;
    }

    /** Real time, not the test server's skipped time: catch-up waits and deadlines must be true. */
    static EmbeddedTemporal start(int port) {
        TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(port, true);
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(HOST + ":" + port)
                .build());
        return new EmbeddedTemporal(server, service);
    }

    static boolean somethingListensOn(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    WorkflowServiceStubs service() {
        return service;
    }

    @Override
    public void close() {
        service.shutdownNow();
        server.close();
    }
}
