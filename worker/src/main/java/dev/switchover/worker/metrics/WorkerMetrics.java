package dev.switchover.worker.metrics;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import dev.switchover.activities.metrics.MigrationMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.io.IOException;

/**
 * One Prometheus registry for the worker: the Temporal SDK's metrics (through {@link #sdkScope()},
 * set on the service stubs) and the migrations' gauges (through {@link #migrations()}, given to the
 * activities), served together on {@code /metrics}. Created by the worker command, never global.
 */
public final class WorkerMetrics implements AutoCloseable {
    /** Default port when metrics are asked for: the one OpenTelemetry's Prometheus exporter uses. */
    public static final int DEFAULT_PORT = 9464;
    // The SDK's counters and timers reach the registry in batches; a short interval keeps a 15 s
    // scrape current without measurable cost.
    private static final com.uber.m3.util.Duration REPORT_EVERY = com.uber.m3.util.Duration.ofSeconds(1);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Scope sdkScope = new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(REPORT_EVERY);
    private final MigrationGauges migrations = new MigrationGauges(registry);
    private MetricsServer server;

    /** Starts serving {@code /metrics} on {@code port} (0: any free port). */
    public MetricsServer serve(int port) throws IOException {
        if (server != null) throw new IllegalStateException("already serving on port " + server.port());
        server = MetricsServer.start(port, registry::scrape);
        return server;
    }

    /** For {@code WorkflowServiceStubsOptions.setMetricsScope}: the SDK's client and worker metrics. */
    public Scope sdkScope() {
        return sdkScope;
    }

    /** For the activities: lag and base copy progress. */
    public MigrationMetrics migrations() {
        return migrations;
    }

    /** For {@code WorkerFactoryOptions}: keeps the phase gauge on the step the worker is running. */
    public WorkerInterceptor phaseInterceptor() {
        return new PhaseInterceptor(migrations);
    }

    /** The text a scrape returns now. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        if (server != null) server.close();
        try {
            sdkScope.close();
        } catch (ScopeCloseException e) {
            // Only the last batch of SDK metrics is lost, and nobody scrapes a closing worker.
        }
        registry.close();
    }
}
