package dev.switchover.activities.hooks;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.HookHost;
import dev.switchover.workflows.spec.HookSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an operator's hook command ({@code sh -c}, the operator's own shell line) on the worker or
 * over SSH on a host, within its timeout. A non-zero exit or a timeout is a HookFailed failure.
 *
 * <p>The command gets the migration's ends in its environment ({@link #environment}), so one
 * script serves every migration: a DNS or load-balancer change names the new primary without the
 * spec repeating its address.
 */
public final class HookRunner {
    private final Hosts hosts;

    public HookRunner(Hosts hosts) {
        this.hosts = hosts;
    }

    public String run(String what, HookSpec hook, MigrationSpec spec, Runnable heartbeat) {
        Map<String, String> env = environment(what, spec);
        if (hook.host() == HookHost.LOCAL) return runLocal(what, hook, env, heartbeat);
        var host = hosts.ssh(hook.host() == HookHost.SOURCE ? spec.source() : spec.target());
        Command command = Command.of("sh", "-c", hook.command())
                .withTimeout(hook.timeout())
                .withHeartbeat(heartbeat);
        for (Map.Entry<String, String> e : env.entrySet()) command = command.withEnv(e.getKey(), e.getValue());
        CommandResult r = host.run(command);
        if (!r.ok()) throw failed(what, hook, r.exitCode(), r.stderr());
        return r.stdout();
    }

    /**
     * What the hook is told: which hook it is, the migration, and both ends. After promotion the
     * target is the primary; a traffic switch points clients at SWITCHOVER_TARGET_ADDRESS.
     */
    static Map<String, String> environment(String what, MigrationSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SWITCHOVER_HOOK", what);
        env.put("SWITCHOVER_MIGRATION", spec.name());
        env.put("SWITCHOVER_ENGINE", spec.engine().id());
        env.put("SWITCHOVER_SOURCE_ADDRESS", spec.source().address());
        env.put(
                "SWITCHOVER_SOURCE_PORT",
                String.valueOf(spec.source().database().port()));
        env.put("SWITCHOVER_TARGET_ADDRESS", spec.target().address());
        env.put(
                "SWITCHOVER_TARGET_PORT",
                String.valueOf(spec.target().database().port()));
        return env;
    }

    private static String runLocal(String what, HookSpec hook, Map<String, String> env, Runnable heartbeat) {
        Path output = null;
        try {
            output = Files.createTempFile("switchover-hook", ".out");
            // Output goes to a file, not a pipe: a chatty hook would otherwise block on a full pipe and
            // be killed at its timeout as if it had hung.
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", hook.command())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            long deadline = System.nanoTime() + hook.timeout().toNanos();
            while (!p.waitFor(2, TimeUnit.SECONDS)) {
                if (System.nanoTime() > deadline) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw Failures.fatal(
                            Failures.HOOK_FAILED,
                            what + " hook `" + hook.command() + "` did not finish within "
                                    + hook.timeout().toSeconds() + "s and was killed");
                }
                heartbeat.run();
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw failed(what, hook, p.exitValue(), out);
            return out;
        } catch (IOException e) {
            throw Failures.fatal(
                    Failures.HOOK_FAILED, what + " hook `" + hook.command() + "` could not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the " + what + " hook", e);
        } finally {
            if (output != null) output.toFile().delete();
        }
    }

    private static RuntimeException failed(String what, HookSpec hook, int exit, String output) {
        String tail = output.strip();
        if (tail.length() > 1000) tail = "..." + tail.substring(tail.length() - 1000);
        return Failures.fatal(
                Failures.HOOK_FAILED,
                what + " hook `" + hook.command() + "` exited with " + exit + (tail.isEmpty() ? "" : ": " + tail));
    }
}
