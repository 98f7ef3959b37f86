package dev.switchover.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.metrics.MigrationMetrics;
import dev.switchover.activities.metrics.StepPhases;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.MigrationActivities;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void lagGaugeFollowsEachSampleOnTheScrapedEndpoint() throws Exception {
        try (WorkerMetrics metrics = new WorkerMetrics()) {
            MetricsServer server = metrics.serve(0);
            MigrationMetrics m = metrics.migrations();

            m.lag("orders", new LagSample(true, 4_096, 1.5, "0/3000060", "0/2FFF060", "streaming/async"));
            String first = scrape(server);
            m.lag("orders", new LagSample(true, 128, 0.25, "0/3000160", "0/3000060", "streaming/async"));
            String second = scrape(server);

            assertEquals(4096.0, value(first, "switchover_replication_lag_bytes", "migration=\"orders\""));
            assertEquals(1.5, value(first, "switchover_replication_lag_seconds", "migration=\"orders\""));
            assertEquals(128.0, value(second, "switchover_replication_lag_bytes", "migration=\"orders\""));
            assertEquals(0.25, value(second, "switchover_replication_lag_seconds", "migration=\"orders\""));
        }
    }

    /** PostgresEngine's sample when no walsender serves the target: MAX_VALUE stands for unknown. */
    @Test
    void lagOfATargetThatIsNotConnectedIsUnknownNotNineExabytes() throws Exception {
        try (WorkerMetrics metrics = new WorkerMetrics()) {
            MetricsServer server = metrics.serve(0);
            MigrationMetrics m = metrics.migrations();

            m.lag(
                    "orders",
                    new LagSample(
                            false,
                            Long.MAX_VALUE,
                            Double.MAX_VALUE,
                            "0/3000060",
                            null,
                            "not connected: no walsender for slot switchover_orders from " + LabHost.DST.address()));
            String down = scrape(server);
            m.lag("orders", new LagSample(false, 8_192, 0.5, "0/3002060", "0/3000060", "catchup/async"));
            String catchingUp = scrape(server);
            m.lag("orders", new LagSample(true, 0, 0, "0/3002060", "0/3002060", "streaming/async"));
            String streaming = scrape(server);

            assertTrue(Double.isNaN(value(down, "switchover_replication_lag_bytes", "migration=\"orders\"")), down);
            assertTrue(Double.isNaN(value(down, "switchover_replication_lag_seconds", "migration=\"orders\"")), down);
            assertEquals(0.0, value(down, "switchover_replication_streaming", "migration=\"orders\""));
            assertEquals(8192.0, value(catchingUp, "switchover_replication_lag_bytes", "migration=\"orders\""));
            assertEquals(0.0, value(catchingUp, "switchover_replication_streaming", "migration=\"orders\""));
            assertEquals(0.0, value(streaming, "switchover_replication_lag_bytes", "migration=\"orders\""));
            assertEquals(1.0, value(streaming, "switchover_replication_streaming", "migration=\"orders\""));
        }
    }

    @Test
    void baseCopyProgressIsARatioAndBytesPerMigration() throws Exception {
        try (WorkerMetrics metrics = new WorkerMetrics()) {
            MetricsServer server = metrics.serve(0);
            metrics.migrations().baseCopy("orders", new CopyProgress(250, 1_000, "transferring"));
            metrics.migrations().baseCopy("billing", new CopyProgress(10, 0, "estimating"));
            String text = scrape(server);

            assertEquals(0.25, value(text, "switchover_base_copy_progress_ratio", "migration=\"orders\""));
            assertEquals(250.0, value(text, "switchover_base_copy_bytes", "migration=\"orders\""));
            assertEquals(0.0, value(text, "switchover_base_copy_progress_ratio", "migration=\"billing\""));
            assertEquals(10.0, value(text, "switchover_base_copy_bytes", "migration=\"billing\""));
        }
    }

    @Test
    void phaseGaugeMarksOnlyThePhaseOfTheLastStep() {
        try (WorkerMetrics metrics = new WorkerMetrics()) {
            metrics.migrations().stepStarted("orders", "BaseCopy");
            metrics.migrations().stepStarted("orders", "MeasureLag");
            metrics.migrations().stepStarted("orders", "WriteReport"); // no phase of its own
            String text = metrics.scrape();

            assertEquals(1.0, value(text, "switchover_phase", "migration=\"orders\"", "phase=\"CATCH_UP\""));
            assertEquals(0.0, value(text, "switchover_phase", "migration=\"orders\"", "phase=\"BASE_COPY\""));
        }
    }

    @Test
    void everyActivityTypeHasAPhaseOrIsDeliberatelyWithout() {
        for (Method method : MigrationActivities.class.getMethods()) {
            String type = Character.toUpperCase(method.getName().charAt(0))
                    + method.getName().substring(1);
            assertTrue(
                    StepPhases.of(type).isPresent() || StepPhases.NO_PHASE.contains(type.toLowerCase()),
                    type + " is missing from StepPhases");
        }
        assertEquals(Phase.PROMOTE, StepPhases.of("promote").orElseThrow());
    }

    @Test
    void onlyMetricsIsServed() throws Exception {
        try (WorkerMetrics metrics = new WorkerMetrics()) {
            MetricsServer server = metrics.serve(0);
            HttpResponse<String> other = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, other.statusCode());
        }
    }

    static String scrape(MetricsServer server) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return response.body();
    }

    /** The value of the one sample of {@code name} whose labels contain every one of {@code labels}. */
    static double value(String text, String name, String... labels) {
        Matcher line = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        while (line.find()) {
            boolean all = true;
            for (String label : labels) all &= line.group(1).contains(label);
            if (all) return Double.parseDouble(line.group(2));
        }
        throw new AssertionError("no " + name + " with " + String.join(",", labels) + " in:\n" + text);
    }
}
