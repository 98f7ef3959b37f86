package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.SetWriter;
import dev.switchover.worker.durability.WorkerProcess;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A migration run as an operator runs it: {@code switchover start --wait}, the launcher jar in its own JVM. */
final class OperatorCli {
    /** The operator's launcher: the same jar the worker runs from. */
    private static final Path LAUNCHER = Path.of("target/switchover.jar").toAbsolutePath();

    private OperatorCli() {}

    /** The migration's result, and how many writes the writer had acknowledged in the 2 s after it. */
    record Run(MigrationResult result, long acknowledgedAfter) {}

    /**
     * A Temporal dev server and a worker process in {@code dir}, {@code writer} writing throughout,
     * the migration of {@code spec} run with {@link #startAndWait}, then 2 s more of writing. The
     * writer is stopped when this returns; on a failure the worker log's tail goes to {@code log}.
     */
    static Run migrateUnder(SetWriter writer, String spec, Path dir, Consumer<String> log) throws Exception {
        try (DevServer temporal = DevServer.start(dir.resolve("temporal.db"));
                WorkerProcess worker = WorkerProcess.start(temporal.address(), dir.resolve("worker.log"))) {
            writer.start();
            try {
                Path specFile = dir.resolve("spec.yaml");
                Files.writeString(specFile, spec);
                MigrationResult done = startAndWait(temporal.address(), specFile, dir, log);
                long before = writer.acknowledged();
                Thread.sleep(2000);
                return new Run(done, writer.acknowledged() - before);
            } catch (Throwable e) {
                String text = worker.logText();
                log.accept("worker log tail:\n" + text.substring(Math.max(0, text.length() - 3000)));
                throw e;
            } finally {
                writer.stop();
            }
        }
    }

    /**
     * Starts the migration of {@code specFile} and follows it to its end, asserting the command
     * exits 0 (the migration completed); returns the workflow's result. Its output goes to
     * {@code dir/start.out}, and its tail to {@code log}.
     */
    static MigrationResult startAndWait(String temporalAddress, Path specFile, Path dir, Consumer<String> log)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(
                        java,
                        "-jar",
                        LAUNCHER.toString(),
                        "start",
                        "--wait",
                        "--address",
                        temporalAddress,
                        specFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("start.out").toFile())
                .start();
        p.getOutputStream().close();
        log.accept("switchover start --wait " + specFile);
        assertTrue(p.waitFor(6, TimeUnit.MINUTES), "switchover start --wait did not end");
        String out = Files.readString(dir.resolve("start.out"), StandardCharsets.UTF_8);
        log.accept("switchover start exited " + p.exitValue() + "; its output ends:\n"
                + out.substring(Math.max(0, out.length() - 1500)));
        assertEquals(0, p.exitValue(), "switchover start --wait: the migration completed");
        return result(temporalAddress, SpecLoader.load(specFile).workflowId());
    }

    /** What a CLI command printed, and its exit code. */
    record Output(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code switchover ARGS} as an operator types it, in its own JVM; {@code dir} keeps its output. */
    static Output run(Path dir, String... args) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = new ArrayList<>(List.of(javaBin, "-jar", LAUNCHER.toString()));
        argv.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "cli-", ".out");
        Path err = Files.createTempFile(dir, "cli-", ".err");
        Process p = new ProcessBuilder(argv)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "switchover " + String.join(" ", args) + " did not end");
        return new Output(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static MigrationResult result(String address, String workflowId) {
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        try {
            return WorkflowClient.newInstance(service)
                    .newUntypedWorkflowStub(workflowId)
                    .getResult(1, TimeUnit.MINUTES, MigrationResult.class);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no result for " + workflowId, e);
        } finally {
            service.shutdownNow();
        }
    }
}
