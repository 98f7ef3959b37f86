package dev.switchover.worker;

import dev.switchover.starter.ConnectionOptions;
import dev.switchover.worker.metrics.WorkerMetrics;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        description = {
            "Run the worker that executes migrations until stopped (Ctrl-C or SIGTERM stop it gracefully).",
            "With no --address/TEMPORAL_ADDRESS and nothing listening on 127.0.0.1:7233, it first starts an"
                    + " embedded in-memory Temporal there, so `switchover start` works from another terminal."
        })
final class WorkerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(WorkerCommand.class);

    @Mixin
    ConnectionOptions connection;

    @Option(
            names = "--drain-timeout",
            defaultValue = "30",
            description = "Seconds running activities get to finish on shutdown (default ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(
            names = "--metrics-port",
            defaultValue = "${env:SWITCHOVER_METRICS_PORT:-0}",
            description = "Serve Prometheus metrics on http://<any interface>:PORT/metrics (SDK metrics and the"
                    + " migrations' phase, lag and copy gauges). 0, the default, serves none; "
                    + WorkerMetrics.DEFAULT_PORT + " is the usual choice. Also SWITCHOVER_METRICS_PORT.")
    int metricsPort;

    @Override
    public Integer call() throws InterruptedException, IOException {
        WorkerMetrics metrics = metricsPort > 0 ? new WorkerMetrics() : null;
        if (metrics != null) {
            metrics.serve(metricsPort);
            log.info("metrics on http://0.0.0.0:{}/metrics", metricsPort);
        }
        EmbeddedTemporal embedded = null;
        WorkflowServiceStubs service;
        String where;
        if (connection.addressConfigured()) {
            where = connection.address();
            service = stubs(where, metrics);
        } else if (EmbeddedTemporal.somethingListensOn(EmbeddedTemporal.PORT)) {
            where = EmbeddedTemporal.HOST + ":" + EmbeddedTemporal.PORT;
            service = stubs(where, metrics);
        } else {
            embedded = EmbeddedTemporal.start(EmbeddedTemporal.PORT);
            service = metrics == null
                    ? embedded.service()
                    : stubs(EmbeddedTemporal.HOST + ":" + EmbeddedTemporal.PORT, metrics);
            where = "an embedded in-memory Temporal on " + EmbeddedTemporal.HOST + ":" + EmbeddedTemporal.PORT
                    + " (migrations do not survive this process; set TEMPORAL_ADDRESS for a real server)";
        }
        WorkflowClient client = WorkflowClient.newInstance(
                service,
                WorkflowClientOptions.newBuilder()
                        .setNamespace(connection.namespace())
                        .build());
        WorkerFactory factory = SwitchoverWorker.start(client, connection.taskQueue(), metrics);
        log.info(
                "worker polling task queue '{}' in namespace '{}' on {}",
                connection.taskQueue(),
                connection.namespace(),
                where);

        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedTemporal toClose = embedded;
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info(
                                    "stopping: no new work is taken; running activities get {}s to finish",
                                    drainSeconds);
                            factory.shutdown();
                            factory.awaitTermination(drainSeconds, TimeUnit.SECONDS);
                            service.shutdown();
                            if (toClose != null) toClose.close();
                            if (metrics != null) metrics.close();
                            stopped.countDown();
                        },
                        "switchover-worker-shutdown"));
        stopped.await();
        return 0;
    }

    private static WorkflowServiceStubs stubs(String address, WorkerMetrics metrics) {
        WorkflowServiceStubsOptions.Builder options =
                WorkflowServiceStubsOptions.newBuilder().setTarget(address);
        if (metrics != null) options.setMetricsScope(metrics.sdkScope());
        return WorkflowServiceStubs.newServiceStubs(options.build());
    }
}
