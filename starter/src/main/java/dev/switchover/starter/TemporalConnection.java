package dev.switchover.starter;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * A client for the Temporal the operator means: {@code --address} or {@code TEMPORAL_ADDRESS}, else
 * a server on {@value #LOCAL_ADDRESS} (the dev server, or {@code ./switchover worker}'s embedded
 * one), else, for {@code start} only, an embedded Temporal in this process.
 */
final class TemporalConnection implements AutoCloseable {
    static final String LOCAL_ADDRESS = "127.0.0.1:7233";

    /**
     * How long a server gets to answer before we say it is not there. A refused connection fails
     * at once; this bounds only a silent address. 3 s was too short for a CLI starting on a loaded
     * machine (its own JVM and gRPC warming up) or a server across a WAN.
     */
    static final long PROBE_DEADLINE_SECONDS = 10;

    /** Where to look when no address is configured; tests point it at a closed port. */
    static volatile String localAddress = LOCAL_ADDRESS;

    private final WorkflowServiceStubs stubs;
    private final WorkflowClient client;
    private final String where;
    private final boolean embedded;

    private TemporalConnection(WorkflowServiceStubs stubs, WorkflowClient client, String where, boolean embedded) {
        this.stubs = stubs;
        this.client = client;
        this.where = where;
        this.embedded = embedded;
    }

    /** Temporal Schedules on this server; not in the embedded Temporal, which has none. */
    ScheduleClient schedules() {
        if (stubs == null) throw CliFailure.failed(Schedules.NEED_A_SERVER);
        return ScheduleClient.newInstance(
                stubs,
                ScheduleClientOptions.newBuilder()
                        .setNamespace(client.getOptions().getNamespace())
                        .build());
    }

    /** Connects to a running server or fails with exit 1 and what to do about it. */
    static TemporalConnection open(ConnectionOptions options) {
        if (options.addressConfigured()) return connect(options.address.trim(), options, true);
        TemporalConnection local = connect(localAddress, options, false);
        if (local != null) return local;
        throw CliFailure.failed(noServerMessage());
    }

    /**
     * Like {@link #open}, but with no server configured or running, starts an embedded Temporal and
     * worker in this process when the launcher provides one.
     */
    static TemporalConnection openOrEmbed(ConnectionOptions options) {
        if (options.addressConfigured()) return connect(options.address.trim(), options, true);
        TemporalConnection local = connect(localAddress, options, false);
        if (local != null) return local;
        Optional<LocalTemporal> embedded =
                ServiceLoader.load(LocalTemporal.class).findFirst();
        if (embedded.isEmpty()) throw CliFailure.failed(noServerMessage());
        WorkflowClient client = embedded.get().start(options.namespace, options.taskQueue);
        return new TemporalConnection(null, client, "an embedded Temporal in this process", true);
    }

    /** Null when nothing answers and the address was only a guess. */
    private static TemporalConnection connect(String address, ConnectionOptions options, boolean configured) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        try {
            stubs.blockingStub()
                    .withDeadlineAfter(PROBE_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
        } catch (StatusRuntimeException | IllegalArgumentException e) {
            stubs.shutdownNow();
            if (!configured) return null;
            throw CliFailure.failed("cannot reach Temporal at " + address + " (from --address or TEMPORAL_ADDRESS): "
                    + FailureText.grpcReason(e)
                    + ". Check the address and that the server is up; without a server, unset TEMPORAL_ADDRESS"
                    + " and run `./switchover worker` in another terminal (it starts an embedded Temporal on "
                    + LOCAL_ADDRESS + ").");
        }
        WorkflowClient client = WorkflowClient.newInstance(
                stubs,
                WorkflowClientOptions.newBuilder()
                        .setNamespace(options.namespace)
                        .build());
        return new TemporalConnection(stubs, client, address, false);
    }

    private static String noServerMessage() {
        return "no Temporal server answers on " + localAddress + " and none is configured. Either set"
                + " TEMPORAL_ADDRESS (or pass --address HOST:PORT) to your Temporal server, or run `./switchover worker`"
                + " in another terminal: it starts an embedded Temporal on " + LOCAL_ADDRESS + " and the worker.";
    }

    WorkflowClient client() {
        return client;
    }

    /** The address for messages, or "an embedded Temporal in this process". */
    String where() {
        return where;
    }

    boolean embedded() {
        return embedded;
    }

    /** Tells the operator why this process must stay up, and that other shells can still look. */
    void printEmbeddedNotice(PrintWriter err, String workflowId) {
        if (!embedded) return;
        err.println("switchover: no Temporal server found, so this process runs an embedded Temporal and worker"
                + " and stays up until the migration ends; meanwhile other shells can use `./switchover status "
                + workflowId + "`.");
        err.flush();
    }

    @Override
    public void close() {
        // The embedded client belongs to the in-process worker, which lives as long as the process.
        if (stubs == null) return;
        // Every call of this command has been answered by now: nothing is left to wait for, and a
        // graceful channel shutdown kept each CLI call up to a quarter of a second longer.
        stubs.shutdownNow();
        stubs.awaitTermination(200, TimeUnit.MILLISECONDS);
    }
}
