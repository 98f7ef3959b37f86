package dev.switchover.worker;

import dev.switchover.starter.LocalTemporal;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;

/**
 * What `switchover start` uses when no Temporal is configured or running: the embedded server and
 * a worker, in the CLI's own process, for as long as it waits for the migration.
 */
public final class EmbeddedLocalTemporal implements LocalTemporal {
    @Override
    public WorkflowClient start(String namespace, String taskQueue) {
        EmbeddedTemporal embedded = EmbeddedTemporal.start(EmbeddedTemporal.PORT);
        WorkflowClient client = WorkflowClient.newInstance(
                embedded.service(),
                WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
        var factory = SwitchoverWorker.start(client, taskQueue);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            factory.shutdownNow();
                            factory.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
                            embedded.close();
                        },
                        "switchover-embedded-shutdown"));
        return client;
    }
}
