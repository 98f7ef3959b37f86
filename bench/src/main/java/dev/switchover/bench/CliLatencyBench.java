package dev.switchover.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.LabPair;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How long the operator waits for the CLI: `./switchover status`, `list` and `approve` against a
 * real migration waiting at the gate (a lab pair, a real Temporal server, the worker in this
 * process), each run as the operator runs it, through the launcher script, timed from fork to exit.
 */
final class CliLatencyBench implements Benchmark {
    static final int STATUS_CALLS = 20;
    static final int LIST_CALLS = 5;
    static final int OWN_JVM_CALLS = 5;

    @Override
    public void run(BenchContext ctx, ObjectNode section) throws Exception {
        section.put("loadAverageBefore", LoadAverage.now());
        Path work = ctx.work().resolve("cli");
        Files.createDirectories(work);
        LabPair lab = BenchLab.pair();
        lab.reset();
        lab.run("exec", BenchLab.TARGET, "rm", "-rf", SmallMigration.BACKUPS);
        lab.seedOrders(1_000);
        MigrationSpec spec = SpecLoader.parse(new SmallMigration(work).spec("bench-cli", "manual"), "cli bench spec");
        try (DevServer temporal = DevServer.start(work.resolve("temporal.db"))) {
            WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                    .setTarget(temporal.address())
                    .build());
            WorkerFactory factory = null;
            try {
                WorkflowClient client = WorkflowClient.newInstance(service);
                factory = SwitchoverWorker.start(client, SwitchoverQueues.TASK_QUEUE);
                MigrationWorkflow wf = MigrationLaunch.start(client, spec);
                MigrationWorkflow current = client.newWorkflowStub(MigrationWorkflow.class, spec.workflowId());
                long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (current.status().phase() != Phase.AWAIT_CUTOVER) {
                    if (System.nanoTime() > until)
                        throw new IllegalStateException("the migration never reached the gate: " + current.status());
                    Thread.sleep(500);
                }
                String address = temporal.address();
                // The first call after a build writes the launcher's class-data archive and starts the
                // resident CLI process: not what an operator waits for each time. For comparison, calls
                // in a JVM of their own each, as with SWITCHOVER_CLI_RESIDENT=off.
                double first = cli(work, "status", "bench-cli", "--address", address);
                List<Double> own = new ArrayList<>();
                for (int i = 0; i < OWN_JVM_CALLS; i++)
                    own.add(cli(work, "off", "status", "bench-cli", "--address", address));
                awaitResident(work);
                List<Double> status = new ArrayList<>();
                for (int i = 0; i < STATUS_CALLS; i++)
                    status.add(cli(work, "status", "bench-cli", "--address", address));
                List<Double> list = new ArrayList<>();
                for (int i = 0; i < LIST_CALLS; i++) list.add(cli(work, "list", "--address", address));
                double approve = cli(work, "approve", "bench-cli", "--by", "bench", "--address", address);
                MigrationResult done = WorkflowStub.fromTyped(current).getResult(MigrationResult.class);
                if (done.status().phase() != Phase.DONE)
                    throw new IllegalStateException("ended in " + done.status().phase());
                section.put("firstCallSeconds", Stats.round(first));
                section.put("ownJvmStatusMedianSeconds", Stats.round(Stats.median(own)));
                section.put("statusCalls", STATUS_CALLS);
                section.put("statusMedianSeconds", Stats.round(Stats.median(status)));
                section.put("statusMaxSeconds", Stats.round(Stats.max(status)));
                section.put("listMedianSeconds", Stats.round(Stats.median(list)));
                section.put("approveSeconds", Stats.round(approve));
                ctx.say()
                        .accept(String.format(
                                "status median %.2f s (max %.2f s), list %.2f s, approve %.2f s",
                                Stats.median(status), Stats.max(status), Stats.median(list), approve));
            } finally {
                if (factory != null) {
                    factory.shutdownNow();
                    factory.awaitTermination(10, TimeUnit.SECONDS);
                }
                service.shutdownNow();
            }
        }
        section.put("loadAverageAfter", LoadAverage.now());
    }

    /** The resident CLI process the first call started, listening: at most 30 s. */
    private static void awaitResident(Path work) throws Exception {
        Path sockets = work.resolve("run/switchover");
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            if (Files.isDirectory(sockets)) {
                try (var files = Files.list(sockets)) {
                    if (files.anyMatch(f -> f.toString().endsWith(".sock"))) return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no resident CLI process listens in " + sockets + " 30 s after the first call");
    }

    /**
     * One call of the launcher, as the operator types it; its wall time in seconds. Its resident
     * process's socket is in the bench's own directory and it leaves 2 minutes after the last call;
     * {@code "off"} first runs the call in a JVM of its own.
     */
    private static double cli(Path work, String... args) throws Exception {
        boolean off = args[0].equals("off");
        List<String> command = new ArrayList<>();
        command.add(Path.of("switchover").toAbsolutePath().toString());
        command.addAll(List.of(args).subList(off ? 1 : 0, args.length));
        Files.createDirectories(work.resolve("run"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("cli-output.txt").toFile());
        pb.environment().put("XDG_RUNTIME_DIR", work.resolve("run").toString());
        pb.environment().put("SWITCHOVER_CLI_RESIDENT_IDLE", "PT2M");
        if (off) pb.environment().put("SWITCHOVER_CLI_RESIDENT", "off");
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", args) + " did not answer within 60 s");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", args) + " exited " + p.exitValue() + ": "
                    + Files.readString(work.resolve("cli-output.txt")));
        }
        return seconds;
    }

    @Override
    public String markdown(JsonNode s) {
        return String.format(
                """
        ## CLI latency

        `./switchover status` against a migration waiting at the gate, %d calls: median **%.2f s**, slowest
        %.2f s; `list` median %.2f s; `approve` %.2f s, each answered by the resident CLI process. The
        first call after a build took %.2f s (it writes the launcher's class-data archive and starts the
        resident process); a call in a JVM of its own (`SWITCHOVER_CLI_RESIDENT=off`) %.2f s median.
        Each call is timed from fork to exit through the launcher script, against a real Temporal server
        (`temporal server start-dev`) on this machine, the worker in the bench's process. Load averages
        (1, 5, 15 min) before and after: %s and %s.
        """,
                s.path("statusCalls").asInt(),
                s.path("statusMedianSeconds").asDouble(),
                s.path("statusMaxSeconds").asDouble(),
                s.path("listMedianSeconds").asDouble(),
                s.path("approveSeconds").asDouble(),
                s.path("firstCallSeconds").asDouble(),
                s.path("ownJvmStatusMedianSeconds").asDouble(),
                s.path("loadAverageBefore").asText(),
                s.path("loadAverageAfter").asText());
    }
}
