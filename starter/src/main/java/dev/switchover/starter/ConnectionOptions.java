package dev.switchover.starter;

import dev.switchover.workflows.SwitchoverQueues;
import picocli.CommandLine.Option;

/** Where Temporal is: the same options, with the same environment defaults, for every verb. */
public final class ConnectionOptions {

    @Option(
            names = "--address",
            defaultValue = "${env:TEMPORAL_ADDRESS}",
            paramLabel = "HOST:PORT",
            description = {
                "Temporal frontend (default: $TEMPORAL_ADDRESS, else " + TemporalConnection.LOCAL_ADDRESS + ")."
            })
    String address;

    @Option(
            names = "--namespace",
            defaultValue = "${env:TEMPORAL_NAMESPACE:-" + SwitchoverQueues.DEFAULT_NAMESPACE + "}",
            paramLabel = "NAME",
            description = "Temporal namespace (default: $TEMPORAL_NAMESPACE, else ${DEFAULT-VALUE}).")
    String namespace;

    @Option(
            names = "--task-queue",
            defaultValue = "${env:SWITCHOVER_TASK_QUEUE:-" + SwitchoverQueues.TASK_QUEUE + "}",
            paramLabel = "NAME",
            description = "Task queue the worker polls (default: $SWITCHOVER_TASK_QUEUE, else ${DEFAULT-VALUE}).")
    String taskQueue;

    /** The configured address, or null: then the CLI looks on 127.0.0.1:7233. */
    public String address() {
        return addressConfigured() ? address.trim() : null;
    }

    public String namespace() {
        return namespace;
    }

    public String taskQueue() {
        return taskQueue;
    }

    /** Whether the operator named a server, by flag or environment. */
    public boolean addressConfigured() {
        return address != null && !address.isBlank();
    }
}
