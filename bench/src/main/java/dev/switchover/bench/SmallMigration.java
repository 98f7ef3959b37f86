package dev.switchover.bench;

import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.LabSpec;
import dev.switchover.worker.SwitchoverWorker;
import dev.switchover.workflows.MigrationLaunch;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.SwitchoverQueues;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One small PostgreSQL migration end to end, as an operator runs it: a real Temporal server
 * ({@code temporal server start-dev}), a worker, automatic cutover, the post-promotion backup on,
 * and the lab's quickest pacing. Returns the workflow's steps and every remote command it ran.
 */
final class SmallMigration {
    static final long ROWS = 10_000;
    /** The catch-up hold: a deliberate wait, which the overhead figure leaves out. */
    static final Duration HOLD = Duration.ofSeconds(1);

    static final String BACKUPS = "/var/lib/postgresql/switchover-bench-backups";

    /** What one run gives: its wall time, when it ran, its steps and the commands behind them. */
    record Run(double seconds, Instant started, Instant ended, MigrationResult result, List<ToolLog.Ran> commands) {}

    private final Path work;

    SmallMigration(Path work) {
        this.work = work;
    }

    Run run(String name) throws Exception {
        LabPair lab = BenchLab.pair();
        lab.reset();
        // The backup step skips a backup it finds complete; each run must make its own.
        lab.run("exec", BenchLab.TARGET, "rm", "-rf", BACKUPS);
        lab.seedOrders(ROWS);
        Files.createDirectories(work);
        MigrationSpec spec = SpecLoader.parse(spec(name), "overhead bench spec");
        try (DevServer temporal = DevServer.start(work.resolve(name + "-temporal.db"))) {
            WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.address())
                    .build());
            WorkerFactory factory = null;
            try (ToolLog log = ToolLog.capture()) {
                WorkflowClient client = WorkflowClient.newInstance(service);
                factory = SwitchoverWorker.start(client, SwitchoverQueues.TASK_QUEUE);
                Instant started = Instant.now();
                long t0 = System.nanoTime();
                MigrationWorkflow wf = MigrationLaunch.start(client, spec);
                MigrationResult result = WorkflowStub.fromTyped(wf).getResult(MigrationResult.class);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Instant ended = Instant.now();
                if (result.status().phase() != Phase.DONE) {
                    throw new IllegalStateException("the migration ended in "
                            + result.status().phase() + ": " + result.status().failure());
                }
                return new Run(seconds, started, ended, result, log.ran());
            } finally {
                if (factory != null) {
                    factory.shutdownNow();
                    factory.awaitTermination(10, TimeUnit.SECONDS);
                }
                service.shutdownNow();
            }
        }
    }

    String spec(String name) throws Exception {
        return spec(name, "automatic");
    }

    /** The spec of {@link #run}, its cutover automatic or manual (a migration that waits at the gate). */
    String spec(String name, String mode) throws Exception {
        Path secret = LabSpec.replicationSecret(work.resolve("replication-password"));
        return LabSpec.specHead(name, BenchLab.SOURCE_ADDRESS, BenchLab.TARGET_ADDRESS, secret)
                + """
        benchmark: {minIops: 100, size: 16M, runtime: 2s, numJobs: 1}
        catchUp: {holdFor: %ds, pollEvery: 1s, deadline: 10m}
        cutover:
          mode: %s
        traffic:
          type: none
        backup:
          enabled: true
          destination: %s
        report:
          directory: %s
        """.formatted(HOLD.toSeconds(), mode, BACKUPS, work.resolve("reports"));
    }
}
