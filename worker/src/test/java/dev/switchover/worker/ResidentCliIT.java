package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.DevServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The CLI's resident process, as an operator meets it: the launcher jar run again and again
 * against a real Temporal dev server. A later call is answered by the resident process with
 * exactly what a JVM of its own prints and the same exit code; another environment gets a
 * resident process of its own; a killed one is replaced; an idle one leaves; a directory that
 * others may enter is not used. Beside the other classes: it has its own server and directories,
 * and most of its time is the resident processes' idle wait.
 */
@Execution(ExecutionMode.CONCURRENT)
class ResidentCliIT {
    private static final Path LAUNCHER = Path.of("target/switchover.jar").toAbsolutePath();
    private static final String TRACE = "switchover: answered by the resident CLI process\n";

    @TempDir
    Path dir;

    private record Output(int exit, String out, String err) {
        boolean resident() {
            return err.contains(TRACE);
        }

        /** What the operator sees, without the test's trace line. */
        Output seen() {
            return new Output(exit, out, err.replace(TRACE, ""));
        }
    }

    @AfterEach
    void stopResidents() {
        residents().forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void laterCallsAreAnsweredByTheResidentProcessExactlyAsByTheirOwnJvm() throws Exception {
        try (DevServer temporal = DevServer.start(dir.resolve("temporal.db"))) {
            Map<String, String> env = env(temporal.address());
            Map<String, String> own = new HashMap<>(env);
            own.put("SWITCHOVER_CLI_RESIDENT", "off");
            Output listAlone = cli(own, "list");
            Output unknownAlone = cli(own, "status", "no-such-migration");
            Output usageAlone = cli(own, "approve");
            assertEquals(0, listAlone.exit(), listAlone.toString());
            assertEquals(2, unknownAlone.exit(), unknownAlone.toString());
            assertTrue(unknownAlone.err().contains("no migration 'no-such-migration'"), unknownAlone.toString());
            assertEquals(2, usageAlone.exit(), usageAlone.toString());
            assertTrue(residents().isEmpty(), "switched off, no resident process starts");

            Output first = cli(env, "list");
            assertFalse(first.resident(), "the first call runs in its own JVM: " + first);
            assertEquals(listAlone, first.seen());
            awaitResidents(1);
            String envSocket = sockets().get(0);

            Output list = cli(env, "list");
            assertTrue(list.resident(), "the second call is answered by the resident process: " + list);
            assertEquals(listAlone, list.seen(), "list, as its own JVM answers it");
            Output unknown = cli(env, "status", "no-such-migration");
            assertTrue(unknown.resident(), unknown.toString());
            assertEquals(unknownAlone, unknown.seen(), "an unknown migration: the same words, exit 2");
            Output usage = cli(env, "approve");
            assertEquals(usageAlone, usage.seen(), "a usage error: the same words, exit 2");
            Path socketDir = dir.resolve("run/switchover");
            assertEquals(
                    "rwx------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(socketDir)),
                    "only this user reaches the resident process");

            // Another namespace is another environment: a resident process of its own, with its answers.
            Map<String, String> other = new HashMap<>(env);
            other.put("TEMPORAL_NAMESPACE", "no-such-namespace");
            Output elsewhereAlone = cli(withOff(other), "list");
            assertTrue(
                    elsewhereAlone.exit() != 0 && elsewhereAlone.err().contains("no-such-namespace"),
                    elsewhereAlone.toString());
            assertFalse(cli(other, "list").resident(), "a new environment's first call runs in its own JVM");
            awaitResidents(2);
            Output elsewhere = cli(other, "list");
            assertTrue(elsewhere.resident(), elsewhere.toString());
            assertEquals(elsewhereAlone, elsewhere.seen(), "the other namespace's answer, not the first one's");
            assertEquals(listAlone, cli(env, "list").seen(), "and the first environment still gets its own");

            // Killed: the next call still answers, in its own JVM, and a new resident process takes over.
            ProcessHandle resident = residents().stream()
                    .filter(p -> p.info().commandLine().orElse("").contains(envSocket))
                    .findFirst()
                    .orElseThrow();
            resident.destroyForcibly();
            resident.onExit().get(30, TimeUnit.SECONDS);
            Output afterKill = cli(env, "list");
            assertFalse(afterKill.resident(), afterKill.toString());
            assertEquals(listAlone, afterKill.seen());
            awaitResidents(2);
            assertTrue(cli(env, "list").resident(), "a new resident process answers");

            // Idle for SWITCHOVER_CLI_RESIDENT_IDLE: they leave, and take their sockets with them.
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!residents().isEmpty() && System.nanoTime() < deadline) Thread.sleep(500);
            assertTrue(residents().isEmpty(), "idle resident processes exit");
            try (Stream<Path> left = Files.list(socketDir)) {
                assertTrue(left.noneMatch(p -> p.toString().endsWith(".sock")), "no socket is left behind");
            }
        }
    }

    @Test
    void aDirectoryOthersMayEnterIsNotUsed() throws Exception {
        Path socketDir = Files.createDirectories(dir.resolve("run/switchover"));
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> env = env("127.0.0.1:1");
        for (int i = 0; i < 2; i++) {
            Output r = cli(env, "list");
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("cannot reach Temporal"), r.toString());
            assertFalse(r.resident(), r.toString());
        }
        Thread.sleep(3000);
        assertTrue(residents().isEmpty(), "no resident process for a directory others may enter");
        try (Stream<Path> files = Files.list(socketDir)) {
            assertEquals(List.of(), files.toList(), "nothing written there");
        }
    }

    private Map<String, String> env(String address) {
        Map<String, String> env = new HashMap<>();
        env.put("TEMPORAL_ADDRESS", address);
        env.put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        env.put("SWITCHOVER_CLI_TRACE", "1");
        // Longer than the slowest stretch between two calls of one environment on a loaded machine.
        env.put("SWITCHOVER_CLI_RESIDENT_IDLE", "PT45S");
        return env;
    }

    private static Map<String, String> withOff(Map<String, String> env) {
        Map<String, String> off = new HashMap<>(env);
        off.put("SWITCHOVER_CLI_RESIDENT", "off");
        return off;
    }

    private Output cli(Map<String, String> env, String... args) throws Exception {
        Files.createDirectories(dir.resolve("run"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> argv = new ArrayList<>(List.of(java, "-jar", LAUNCHER.toString()));
        argv.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "cli-", ".out");
        Path err = Files.createTempFile(dir, "cli-", ".err");
        ProcessBuilder pb =
                new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("SWITCHOVER_CLI_RESIDENT");
        pb.environment().remove("TEMPORAL_NAMESPACE");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "switchover " + String.join(" ", args) + " did not end");
        return new Output(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The resident processes serving sockets in this test's directory. */
    private List<ProcessHandle> residents() {
        String mine = dir.resolve("run").toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info()
                        .commandLine()
                        .map(c -> c.contains("CliDaemon") && c.contains(mine))
                        .orElse(false))
                .toList();
    }

    private List<String> sockets() {
        try (Stream<Path> files = Files.list(dir.resolve("run/switchover"))) {
            return files.map(Path::toString).filter(p -> p.endsWith(".sock")).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private List<ProcessHandle> awaitResidents(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> now = residents();
            if (now.size() >= count && sockets().size() >= count) return now;
            Thread.sleep(200);
        }
        throw new AssertionError(
                count + " resident processes expected, found " + residents().size());
    }
}
