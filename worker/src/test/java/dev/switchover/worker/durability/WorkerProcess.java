package dev.switchover.worker.durability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar worker/target/switchover.jar worker --address ...} as its own process, the way
 * an operator runs it: killing it with SIGKILL is a crashed worker machine. The java binary is
 * started directly (no shell), so {@link #kill()} hits the JVM itself.
 */
public final class WorkerProcess implements AutoCloseable {
  static final Path JAR = Path.of("target/switchover.jar").toAbsolutePath();

  private final Process process;
  private final Path log;

  private WorkerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static WorkerProcess start(String temporalAddress, Path log) throws IOException {
    if (!Files.isRegularFile(JAR)) throw new IllegalStateException(JAR + " missing: run mvn package first");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", JAR.toString(), "worker",
        "--address", temporalAddress))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The test's client uses the defaults; a metrics port would clash between parallel runs.
    for (String name : List.of("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "SWITCHOVER_TASK_QUEUE",
        "SWITCHOVER_METRICS_PORT")) {
      pb.environment().remove(name);
    }
    Process p = pb.start();
    p.getOutputStream().close();
    // A test JVM that dies must not leave a worker polling the next run's server.
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "switchover-worker-stop"));
    return new WorkerProcess(p, log);
  }

  /** SIGKILL; returns once the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("worker survived SIGKILL");
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String logText() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }
}
