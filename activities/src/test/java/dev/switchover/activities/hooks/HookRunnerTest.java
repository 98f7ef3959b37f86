package dev.switchover.activities.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.spec.HookHost;
import dev.switchover.workflows.spec.HookSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Hooks run on the worker's machine: what they are told, their output, their timeout. */
class HookRunnerTest {
    private static final MigrationSpec SPEC =
            SpecLoader.parse("""
      name: orders
      engine: mysql
      source:
        address: %s
        ssh: {privateKey: /etc/switchover/id_ed25519, knownHosts: /etc/switchover/known_hosts}
        database: {adminPassword: "env:ADMIN_PW"}
      target:
        address: %s
        ssh: {privateKey: /etc/switchover/id_ed25519, knownHosts: /etc/switchover/known_hosts}
        database: {adminPassword: "env:ADMIN_PW", port: 3307}
      replication:
        password: "env:REPL_PW"
      """.formatted(LabHost.SRC.address(), LabHost.DST.address()), "test spec");

    private final HookRunner hooks = new HookRunner(null);

    @Test
    void theHookIsToldWhichHostIsTheNewPrimary() {
        String out = hooks.run(
                "traffic switch", hook("env | grep ^SWITCHOVER_ | sort", Duration.ofSeconds(10)), SPEC, () -> {});
        assertEquals("""
        SWITCHOVER_ENGINE=mysql
        SWITCHOVER_HOOK=traffic switch
        SWITCHOVER_MIGRATION=orders
        SWITCHOVER_SOURCE_ADDRESS=%s
        SWITCHOVER_SOURCE_PORT=3306
        SWITCHOVER_TARGET_ADDRESS=%s
        SWITCHOVER_TARGET_PORT=3307
        """.formatted(LabHost.SRC.address(), LabHost.DST.address()), out);
    }

    @Test
    void aChattyHookIsNotMistakenForAHungOne() {
        // Far more than a pipe holds: with the output in a pipe nobody reads, the hook would block.
        String out = hooks.run("traffic switch", hook("seq 1 200000", Duration.ofSeconds(20)), SPEC, () -> {});
        assertTrue(out.endsWith("199999\n200000\n"), out.substring(Math.max(0, out.length() - 50)));
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndFailsTheStep() {
        long t0 = System.nanoTime();
        ApplicationFailure f = assertThrows(
                ApplicationFailure.class,
                () -> hooks.run("traffic switch", hook("sleep 30", Duration.ofSeconds(2)), SPEC, () -> {}));
        assertEquals("HookFailed", f.getType());
        assertTrue(f.getOriginalMessage().contains("did not finish within 2s"), f.getOriginalMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(), "killed, not waited out");
    }

    @Test
    void aFailingHookFailsTheStepWithItsOutput() {
        ApplicationFailure f = assertThrows(
                ApplicationFailure.class,
                () -> hooks.run(
                        "traffic switch",
                        hook("echo no such backend >&2; exit 3", Duration.ofSeconds(10)),
                        SPEC,
                        () -> {}));
        assertTrue(f.getOriginalMessage().contains("exited with 3: no such backend"), f.getOriginalMessage());
    }

    private static HookSpec hook(String command, Duration timeout) {
        return new HookSpec(command, HookHost.LOCAL, timeout);
    }
}
