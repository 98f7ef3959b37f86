package dev.switchover.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.testkit.SetWriter;
import dev.switchover.worker.demo.DemoRun;
import dev.switchover.worker.durability.WorkerProcess;
import dev.switchover.workflows.Approval;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's /metrics during a real migration, scraped the way Prometheus would: a Temporal dev
 * server, the worker as its own process with --metrics-port, lab hosts mts and mtt, manual
 * cutover. While the migration awaits cutover, the target's link is throttled and the source
 * written to, and the lag gauge must rise; once the link is healed it must fall back. With the
 * target's PostgreSQL stopped the lag is unknown (NaN, streaming 0), not a huge number. The copy
 * progress, the phase and the SDK's own metrics are checked on the same scrapes; then the cutover
 * is approved and the migration must end DONE with every row on the target.
 */
class MetricsDuringMigrationIT {
    private static final String SRC = LabHost.MTS.hostName();
    private static final String SRC_ADDRESS = LabHost.MTS.address();
    private static final String DST = LabHost.MTT.hostName();
    private static final String DST_ADDRESS = LabHost.MTT.address();
    private static final String NAME = "metrics-lag";
    /** The SDK metric family the test reads: activity executions by type. */
    private static final String SDK_FAMILY = "temporal_activity_execution_latency_seconds_count";

    private static final Map<String, String> THIS = Map.of("migration", NAME);
    /** About 11 MB of table: with {@link #COPY_RATE} the copy lasts several scrapes. */
    private static final long ROWS = 100_000;

    private static final String COPY_RATE = "32mbit";
    /** Slower than the source writes: WAL piles up on the source. */
    private static final String LAG_RATE = "1mbit";

    private static final long HIGH = 4L << 20;
    private static final long LOW = 64L << 10;
    /** Anything above is a placeholder, not a measurement: no test here writes a gigabyte. */
    private static final long PLAUSIBLE = 1L << 30;

    private static final Duration SCRAPE_EVERY = Duration.ofMillis(250);

    private static String admin;
    private static Path dir;
    private static DevServer temporal;
    private static WorkflowServiceStubs service;
    private static WorkflowClient client;
    private static WorkerProcess worker;
    private static Scraper scraper;
    private static long t0 = System.nanoTime();

    @BeforeAll
    static void labTemporalAndWorker() throws Exception {
        Lab.run("up", SRC + ":" + SRC_ADDRESS, DST + ":" + DST_ADDRESS);
        Lab.run("heal", DST);
        // The last run's target is a promoted copy, which the wipe guard rightly refuses.
        Lab.run("reset", SRC, DST);
        admin = LabSpec.adminPassword();
        seed();
        dir = Files.createTempDirectory("switchover-metrics");
        temporal = DevServer.start(dir.resolve("temporal.db"));
        service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(temporal.address())
                .build());
        client = WorkflowClient.newInstance(service);
        int port = DevServer.freePort();
        worker = WorkerProcess.start(temporal.address(), dir.resolve("worker.log"), port);
        scraper = new Scraper(URI.create("http://127.0.0.1:" + port + "/metrics"));
        scraper.start();
        say("worker serving /metrics on 127.0.0.1:" + port + "; logs in " + dir);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (scraper != null) scraper.stop();
        if (worker != null) worker.close();
        if (service != null) service.shutdownNow();
        if (temporal != null) temporal.close();
        Lab.run("heal", DST);
    }

    @Test
    void lagGaugeRisesWhileTheTargetFallsBehindAndReturnsWhenItCatchesUp() throws Exception {
        // ---- the copy ----
        Lab.run("rate", DST, COPY_RATE);
        MigrationWorkflow wf = startMigration();
        scraper.await(
                "a scrape mid-copy: phase BASE_COPY, progress between 0 and 1",
                Duration.ofMinutes(2),
                m -> phase(m).equals(Optional.of(Phase.BASE_COPY)) && copyRatio(m) > 0 && copyRatio(m) < 1);
        Scraper.Scrape copied = scraper.await(
                "the copy's progress at its total while still in BASE_COPY",
                Duration.ofMinutes(2),
                m -> phase(m).equals(Optional.of(Phase.BASE_COPY)) && copyRatio(m) == 1.0);
        long copyBytes = (long) copied.metrics()
                .value("switchover_base_copy_bytes", THIS)
                .orElseThrow()
                .doubleValue();
        say("copy done: " + mb(copyBytes));
        assertTrue(copyBytes > ROWS * 50, "the copy moved at least the seeded table: " + copyBytes + " bytes");
        Lab.run("heal", DST);

        // ---- awaiting cutover: measured lag, then lag made and undone ----
        awaitStatus(wf, "awaiting cutover", s -> s.phase() == Phase.AWAIT_CUTOVER);
        Scraper.Scrape calm = scraper.awaitSince(
                scraper.count(),
                "lag under " + kb(LOW) + " before any load",
                Duration.ofSeconds(30),
                m -> lag(m) < LOW);
        assertEquals(
                Optional.of(Phase.CATCH_UP),
                phase(calm.metrics()),
                "lag is sampled while awaiting cutover; its step counts as CATCH_UP");

        SetWriter writer = new SetWriter(() -> SRC_ADDRESS, 5432, "postgres", admin, "metrics_writes", 1000);
        writer.start();
        Lab.run("rate", DST, LAG_RATE);
        long throttled = scraper.count();
        Scraper.Scrape behind;
        int chunks = 0;
        try (Connection c = DemoRun.connect(SRC_ADDRESS, admin);
                Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((behind = scraper.since(throttled, m -> lag(m) > HIGH)) == null && System.nanoTime() < deadline) {
                // About 1 MB of WAL per statement, five a second: far more than 1 mbit carries.
                st.execute(
                        "INSERT INTO lag_filler (pad) SELECT repeat(md5(random()::text), 32) FROM generate_series(1, 1000)");
                chunks++;
                Thread.sleep(200);
            }
        }
        if (behind == null) {
            throw new AssertionError("the lag gauge did not rise above " + mb(HIGH) + " within 60 s of throttling "
                    + DST + " to " + LAG_RATE + " and writing " + chunks + " MB\n" + scraper.trace());
        }
        say("lag gauge at " + mb(lag(behind.metrics())) + " after " + chunks + " MB written at " + LAG_RATE
                + "; healing " + DST);
        double healStart = seconds();
        Lab.run("heal", DST);
        long healed = scraper.count();
        say(String.format(Locale.ROOT, "healed (lab.sh took %.1f s)", seconds() - healStart));
        Scraper.Scrape caughtUp = scraper.awaitSince(
                healed, "lag back under " + kb(LOW) + " after the heal", Duration.ofSeconds(60), m -> lag(m) < LOW);
        say("lag gauge back at " + kb(lag(caughtUp.metrics())) + " with the writer still writing");
        writer.stop();

        double peak = scraper.maxSince(throttled, MetricsDuringMigrationIT::lag);
        say("peak lag seen: " + mb(peak));
        assertTrue(peak < PLAUSIBLE, "every lag sample was a measurement, not a placeholder: " + peak);
        assertEquals(Optional.of(Phase.CATCH_UP), phase(caughtUp.metrics()));
        assertTrue(
                caughtUp.metrics()
                        .value("switchover_replication_lag_seconds", THIS)
                        .isPresent(),
                "a lag-seconds gauge beside the bytes");
        assertTrue(
                caughtUp.metrics().samples().stream().anyMatch(s -> s.name().startsWith("temporal_")),
                "the SDK's metrics are on the same endpoint");
        assertTrue(
                sdkCount(caughtUp.metrics(), "MeasureLag") > 0,
                "the SDK counted the lag samples it ran: " + caughtUp.metrics().all(SDK_FAMILY, Map.of()));

        // ---- the target down: lag unknown, not a number that looks like one ----
        Lab.run("exec", DST, "pg_ctlcluster", "15", "main", "stop");
        Scraper.Scrape down = scraper.awaitSince(
                scraper.count(),
                "the target not streaming, its lag unknown",
                Duration.ofSeconds(30),
                m -> streaming(m) == 0 && Double.isNaN(lag(m)));
        assertTrue(down.metrics()
                .value("switchover_replication_lag_seconds", THIS)
                .orElseThrow()
                .isNaN());
        Lab.run("exec", DST, "pg_ctlcluster", "15", "main", "start");
        scraper.awaitSince(
                scraper.count(),
                "the target streaming again, lag under " + kb(LOW),
                Duration.ofSeconds(30),
                m -> streaming(m) == 1 && lag(m) < LOW);

        // ---- cutover ----
        approve(wf);
        MigrationResult done = WorkflowStub.fromTyped(wf).getResult(4, TimeUnit.MINUTES, MigrationResult.class);
        say("done: " + done.status().phase());
        assertEquals(
                Phase.DONE, done.status().phase(), "failure: " + done.status().failure());
        assertEquals(DST_ADDRESS, done.newPrimary());
        List<Long> target = counts(DST_ADDRESS);
        assertEquals(counts(SRC_ADDRESS), target, "rows in orders, lag_filler, metrics_writes on source and target");
        assertEquals(List.of(ROWS, chunks * 1000L), target.subList(0, 2), "the seed and every filler row");
        assertTrue(
                target.get(2) >= writer.acknowledged() && writer.acknowledged() > 0,
                "every acknowledged write (" + writer.acknowledged() + ") is on the target: " + target.get(2));
        Scraper.Scrape last = scraper.await(
                "phase after promotion",
                Duration.ofSeconds(30),
                m -> phase(m).equals(Optional.of(Phase.POST_PROMOTION)));
        say("scrapes: " + scraper.count() + "\n" + scraper.trace());
        assertEquals(
                1,
                last.metrics().all("switchover_phase", THIS).stream()
                        .filter(s -> s.value() == 1.0)
                        .count(),
                "exactly one phase is marked");
    }

    // ---- the metrics of this migration ----

    private static double lag(PrometheusText m) {
        return m.value("switchover_replication_lag_bytes", THIS).orElse(Double.NaN);
    }

    private static double streaming(PrometheusText m) {
        return m.value("switchover_replication_streaming", THIS).orElse(Double.NaN);
    }

    private static double copyRatio(PrometheusText m) {
        return m.value("switchover_base_copy_progress_ratio", THIS).orElse(Double.NaN);
    }

    /** The phase whose gauge is 1; empty before the first step or if several are. */
    private static Optional<Phase> phase(PrometheusText m) {
        List<PrometheusText.Sample> on = m.all("switchover_phase", THIS).stream()
                .filter(s -> s.value() == 1.0)
                .toList();
        return on.size() == 1 ? Optional.of(Phase.valueOf(on.get(0).labels().get("phase"))) : Optional.empty();
    }

    /** How many times the SDK saw an activity of this type finish executing on this worker. */
    private static double sdkCount(PrometheusText m, String activityType) {
        return m.all(SDK_FAMILY, Map.of("activity_type", activityType)).stream()
                .mapToDouble(PrometheusText.Sample::value)
                .sum();
    }

    /**
     * Scrapes /metrics every {@link #SCRAPE_EVERY} in the background and keeps every parsed scrape,
     * so a test can ask for one that shows something after a given moment, and print what it saw.
     */
    static final class Scraper implements Runnable {
        record Scrape(double at, PrometheusText metrics, String error) {}

        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final URI uri;
        private final List<Scrape> scrapes = new CopyOnWriteArrayList<>();
        private volatile boolean stop;
        private Thread thread;

        Scraper(URI uri) {
            this.uri = uri;
        }

        void start() {
            thread = new Thread(this, "metrics-scraper");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join(5000);
        }

        @Override
        public void run() {
            HttpRequest request =
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
            while (!stop) {
                double at = seconds();
                try {
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    scrapes.add(
                            r.statusCode() == 200
                                            && r.headers()
                                                    .firstValue("Content-Type")
                                                    .orElse("")
                                                    .startsWith("text/plain; version=0.0.4")
                                    ? new Scrape(at, kept(PrometheusText.parse(r.body())), null)
                                    : new Scrape(
                                            at,
                                            null,
                                            "HTTP " + r.statusCode() + " "
                                                    + r.headers().firstValue("Content-Type")));
                } catch (java.io.IOException | RuntimeException e) {
                    scrapes.add(new Scrape(at, null, e.toString()));
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(SCRAPE_EVERY.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long count() {
            return scrapes.size();
        }

        /**
         * What the checks read: the migration gauges and the one SDK family asserted on. A whole
         * scrape is hundreds of SDK samples; kept four times a second they filled the heap of a slow run.
         */
        private static PrometheusText kept(PrometheusText all) {
            return new PrometheusText(all.samples().stream()
                    .filter(x -> x.name().startsWith("switchover_") || x.name().equals(SDK_FAMILY))
                    .toList());
        }

        /** The first scrape from index {@code from} on that shows {@code what}, or null. */
        Scrape since(long from, Predicate<PrometheusText> what) {
            for (int i = (int) from; i < scrapes.size(); i++) {
                Scrape s = scrapes.get(i);
                if (s.metrics() != null && what.test(s.metrics())) return s;
            }
            return null;
        }

        Scrape await(String what, Duration within, Predicate<PrometheusText> until) throws InterruptedException {
            return awaitSince(0, what, within, until);
        }

        Scrape awaitSince(long from, String what, Duration within, Predicate<PrometheusText> until)
                throws InterruptedException {
            Scrape s = poll(within, () -> since(from, until));
            if (s == null) {
                throw new AssertionError(
                        "no scrape showed " + what + " within " + within.toSeconds() + " s\n" + trace());
            }
            say("scrape at " + String.format(Locale.ROOT, "%.1fs", s.at()) + " shows " + what);
            return s;
        }

        double maxSince(long from, java.util.function.ToDoubleFunction<PrometheusText> value) {
            return scrapes.subList((int) from, scrapes.size()).stream()
                    .filter(s -> s.metrics() != null)
                    .mapToDouble(s -> value.applyAsDouble(s.metrics()))
                    .filter(v -> !Double.isNaN(v))
                    .max()
                    .orElse(Double.NaN);
        }

        /** One line per change of what this migration's gauges show, with how many scrapes showed it. */
        String trace() {
            List<String> lines = new ArrayList<>();
            String previous = null;
            int repeats = 0;
            for (Scrape s : scrapes) {
                String now = s.metrics() == null ? "scrape failed: " + s.error() : describe(s.metrics());
                if (now.equals(previous)) {
                    repeats++;
                    continue;
                }
                if (repeats > 0)
                    lines.set(lines.size() - 1, lines.get(lines.size() - 1) + "  (x" + (repeats + 1) + ")");
                lines.add(String.format(Locale.ROOT, "  %6.1fs  %s", s.at(), now));
                previous = now;
                repeats = 0;
            }
            if (repeats > 0) lines.set(lines.size() - 1, lines.get(lines.size() - 1) + "  (x" + (repeats + 1) + ")");
            return String.join("\n", lines);
        }

        private static String describe(PrometheusText m) {
            long sdk = m.samples().stream()
                    .filter(s -> s.name().startsWith("temporal_"))
                    .count();
            return String.format(
                    Locale.ROOT,
                    "phase=%s streaming=%s lag_bytes=%s lag_seconds=%s copy_ratio=%s"
                            + " copy_bytes=%s temporal_samples=%d",
                    phase(m).map(Enum::name).orElse("-"),
                    m.value("switchover_replication_streaming", THIS)
                            .map(Scraper::num)
                            .orElse("-"),
                    m.value("switchover_replication_lag_bytes", THIS)
                            .map(Scraper::num)
                            .orElse("-"),
                    m.value("switchover_replication_lag_seconds", THIS)
                            .map(Scraper::num)
                            .orElse("-"),
                    m.value("switchover_base_copy_progress_ratio", THIS)
                            .map(Scraper::num)
                            .orElse("-"),
                    m.value("switchover_base_copy_bytes", THIS)
                            .map(Scraper::num)
                            .orElse("-"),
                    sdk);
        }

        private static String num(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15
                    ? String.valueOf((long) v)
                    : String.format(Locale.ROOT, "%.4g", v);
        }
    }

    // ---- the migration ----

    private static MigrationWorkflow startMigration() throws Exception {
        MigrationSpec spec = SpecLoader.parse(spec(), NAME + " spec");
        MigrationWorkflow wf = client.newWorkflowStub(
                MigrationWorkflow.class,
                WorkflowOptions.newBuilder()
                        .setWorkflowId(spec.workflowId())
                        .setTaskQueue(SwitchoverQueues.TASK_QUEUE)
                        .setWorkflowRunTimeout(Duration.ofMinutes(15))
                        .build());
        WorkflowClient.start(wf::migrate, spec, null);
        say("started " + spec.workflowId());
        // By its id: after a continue-as-new the started run is no longer the one that answers.
        return client.newWorkflowStub(MigrationWorkflow.class, spec.workflowId());
    }

    private static void awaitStatus(MigrationWorkflow wf, String what, Predicate<MigrationStatus> until)
            throws InterruptedException {
        MigrationStatus[] last = new MigrationStatus[1];
        MigrationStatus s = poll(Duration.ofMinutes(2), () -> {
            try {
                last[0] = wf.status();
                return until.test(last[0]) ? last[0] : null;
            } catch (RuntimeException e) {
                return null; // no worker answers queries yet
            }
        });
        if (s == null) {
            throw new AssertionError("not " + what + " within 2 min; last status: "
                    + (last[0] == null
                            ? "none"
                            : last[0].phase() + " " + last[0].waitingFor() + " " + last[0].failure())
                    + "\n" + scraper.trace());
        }
        say(what + ": " + s.waitingFor());
    }

    /** Approval is refused until the workflow's own lag sample is back under its thresholds. */
    private static void approve(MigrationWorkflow wf) throws InterruptedException {
        RuntimeException[] refused = new RuntimeException[1];
        String accepted = poll(Duration.ofSeconds(60), () -> {
            try {
                return wf.approveCutover(new Approval("metrics-test", "lag went up and came back down"));
            } catch (RuntimeException e) {
                refused[0] = e;
                return null;
            }
        });
        if (accepted == null) throw new AssertionError("approval never accepted", refused[0]);
        say("cutover " + accepted);
    }

    /** Calls {@code probe} every 250 ms until it returns non-null or {@code within} passes. */
    private static <T> T poll(Duration within, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            T t = probe.get();
            if (t != null || System.nanoTime() > deadline) return t;
            Thread.sleep(250);
        }
    }

    // ---- data ----

    private static void seed() throws SQLException {
        try (Connection c = DemoRun.connect(SRC_ADDRESS, admin);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders AS SELECT g AS id, 'customer-' || (g % 997) AS customer,"
                    + " now() - g * interval '1 minute' AS created FROM generate_series(1, " + ROWS + ") g");
            st.execute("CREATE TABLE lag_filler (id bigserial PRIMARY KEY, pad text NOT NULL)");
            st.execute("CREATE TABLE metrics_writes (id bigint PRIMARY KEY)");
        }
    }

    /** Rows in orders, lag_filler and metrics_writes. */
    private static List<Long> counts(String address) throws SQLException {
        try (Connection c = DemoRun.connect(address, admin);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM lag_filler),"
                                + " (SELECT count(*) FROM metrics_writes)")) {
            rs.next();
            return List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }

    private static String spec() throws Exception {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        // Lag is sampled every second while the migration awaits a manual cutover.
        return """
        %scutover: {mode: manual}
        traffic: {type: none}
        backup: {enabled: false}
        report: {directory: %s}
        """.formatted(
                LabSpec.specHead(NAME, SRC_ADDRESS, DST_ADDRESS, secret) + LabSpec.TEST_PACE, dir.resolve("reports"));
    }

    private static String mb(double bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1 << 20));
    }

    private static String kb(double bytes) {
        return String.format(Locale.ROOT, "%.1f kB", bytes / 1024);
    }

    private static void say(String line) {
        System.out.printf("metrics %6.1fs  %s%n", seconds(), line);
    }

    private static double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }
}
