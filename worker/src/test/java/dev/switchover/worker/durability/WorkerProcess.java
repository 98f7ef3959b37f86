package dev.switchover.worker.durability;

import dev.switchover.workflows.SwitchoverQueues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar worker/target/switchover.jar worker --address ...} as its own process, the way
 * an operator runs it: killing it with SIGKILL is a crashed worker machine. The java binary is
 * started directly (no shell), so {@link #kill()} hits the JVM itself.
 */
public final class WorkerProcess implements AutoCloseable {
    static final Path JAR = Path.of("target/switchover.jar").toAbsolutePath();
    private static final Path TEST_CLASSES = Path.of("target/test-classes").toAbsolutePath();

    private final Process process;
    private final Path log;

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static WorkerProcess start(String temporalAddress, Path log) throws IOException {
        return start(temporalAddress, log, 0);
    }

    /** @param metricsPort the worker serves /metrics there ({@code --metrics-port}); 0 for none */
    public static WorkerProcess start(String temporalAddress, Path log, int metricsPort) throws IOException {
        List<String> args = new ArrayList<>(List.of("-jar", JAR.toString(), "worker", "--address", temporalAddress));
        if (metricsPort > 0) args.addAll(List.of("--metrics-port", String.valueOf(metricsPort)));
        return launch(args, SwitchoverQueues.TASK_QUEUE, log);
    }

    /** The production worker on {@code taskQueue}. */
    static WorkerProcess start(String temporalAddress, String taskQueue, Path log) throws IOException {
        return launch(List.of("-jar", JAR.toString(), "worker", "--address", temporalAddress), taskQueue, log);
    }

    /**
     * The production worker with a {@link CrashingWorker} trap: it freezes at {@code point} and
     * writes {@code reachedFile}, waiting for the test's SIGKILL.
     */
    static WorkerProcess startCrashing(
            String temporalAddress, String taskQueue, CrashPoint point, Path reachedFile, Path log) throws IOException {
        String classpath = JAR + java.io.File.pathSeparator + TEST_CLASSES;
        return launch(
                List.of(
                        "-cp",
                        classpath,
                        CrashingWorker.class.getName(),
                        temporalAddress,
                        taskQueue,
                        point.toString(),
                        reachedFile.toString()),
                taskQueue,
                log);
    }

    private static WorkerProcess launch(List<String> args, String taskQueue, Path log) throws IOException {
        if (!Files.isRegularFile(JAR)) throw new IllegalStateException(JAR + " missing: run mvn package first");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // The test's client uses the defaults; a metrics port from the environment would clash
        // between parallel runs, so only an explicit one is used.
        for (String name : List.of("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "SWITCHOVER_METRICS_PORT")) {
            pb.environment().remove(name);
        }
        pb.environment().put("SWITCHOVER_TASK_QUEUE", taskQueue);
        Process p = pb.start();
        p.getOutputStream().close();
        // A test JVM that dies must not leave a worker polling the next run's server.
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "switchover-worker-stop"));
        return new WorkerProcess(p, log);
    }

    /** SIGKILL; returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("worker survived SIGKILL");
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String logText() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The log's last {@code lines} lines: where a stuck worker stands. */
    public String logTail(int lines) throws IOException {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
