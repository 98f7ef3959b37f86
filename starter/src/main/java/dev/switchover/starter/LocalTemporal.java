package dev.switchover.starter;

import io.temporal.client.WorkflowClient;

/**
 * An embedded Temporal for an operator who has no server: found with {@link java.util.ServiceLoader}
 * by {@code switchover start} when nothing answers on {@value TemporalConnection#LOCAL_ADDRESS}.
 * The worker module implements it; the starter needs only this interface.
 */
public interface LocalTemporal {

    /**
     * Starts a Temporal server and a worker polling {@code taskQueue} in this process and returns a
     * client for them. Both live as long as the process, which is why {@code start} then waits for
     * the migration to end.
     */
    WorkflowClient start(String namespace, String taskQueue);
}
