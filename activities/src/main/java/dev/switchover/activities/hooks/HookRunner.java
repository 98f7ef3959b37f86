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
import java.util.concurrent.TimeUnit;

/**
 * Runs an operator's hook command ({@code sh -c}, the operator's own shell line) on the worker or
 * over SSH on a host, within its timeout. A non-zero exit or a timeout is a HookFailed failure.
 */
public final class HookRunner {
  private final Hosts hosts;

  public HookRunner(Hosts hosts) {
    this.hosts = hosts;
  }

  public String run(String what, HookSpec hook, MigrationSpec spec, Runnable heartbeat) {
    if (hook.host() == HookHost.LOCAL) return runLocal(what, hook, heartbeat);
    var host = hosts.ssh(hook.host() == HookHost.SOURCE ? spec.source() : spec.target());
    CommandResult r = host.run(Command.of("sh", "-c", hook.command()).withTimeout(hook.timeout()).withHeartbeat(heartbeat));
    if (!r.ok()) throw failed(what, hook, r.exitCode(), r.stderr());
    return r.stdout();
  }

  private static String runLocal(String what, HookSpec hook, Runnable heartbeat) {
    try {
      Process p = new ProcessBuilder("sh", "-c", hook.command()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      long deadline = System.nanoTime() + hook.timeout().toNanos();
      while (!p.waitFor(2, TimeUnit.SECONDS)) {
        if (System.nanoTime() > deadline) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          throw Failures.fatal(Failures.HOOK_FAILED, what + " hook `" + hook.command() + "` did not finish within "
              + hook.timeout().toSeconds() + "s and was killed");
        }
        heartbeat.run();
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) throw failed(what, hook, p.exitValue(), out);
      return out;
    } catch (IOException e) {
      throw Failures.fatal(Failures.HOOK_FAILED, what + " hook `" + hook.command() + "` could not start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running the " + what + " hook", e);
    }
  }

  private static RuntimeException failed(String what, HookSpec hook, int exit, String output) {
    String tail = output.strip();
    if (tail.length() > 1000) tail = "..." + tail.substring(tail.length() - 1000);
    return Failures.fatal(Failures.HOOK_FAILED, what + " hook `" + hook.command() + "` exited with " + exit
        + (tail.isEmpty() ? "" : ": " + tail));
  }
}
