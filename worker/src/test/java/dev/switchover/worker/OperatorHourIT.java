package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.worker.durability.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator meets when something is wrong, as the CLI shows it: a real Temporal dev server,
 * a worker process, lab host ohs (PostgreSQL 15) and {@link #NOWHERE}, an address in the lab's
 * network where no host answers.
 */
class OperatorHourIT {
    private static final String SRC_ADDRESS = LabHost.OHS.address();
    /** In the lab's network, and no host there: ARP gets no answer, connects fail with "No route to host". */
    private static final String NOWHERE = LabHost.nowhere(0);

    @TempDir
    static Path dir;

    private static DevServer temporal;
    private static WorkerProcess worker;

    @BeforeAll
    static void up() throws Exception {
        Lab.run("up", LabHost.OHS.upArgument());
        temporal = DevServer.start(dir.resolve("temporal.db"));
        worker = WorkerProcess.start(temporal.address(), dir.resolve("worker.log"));
    }

    @AfterAll
    static void down() throws Exception {
        if (worker != null) worker.close();
        if (temporal != null) temporal.close();
    }

    /** A manual migration from ohs to {@link #NOWHERE}: its preflight retries until it gives up. */
    private static Path manualSpecToNowhere(String name) throws Exception {
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(
                spec,
                LabSpec.specHead(
                                name,
                                SRC_ADDRESS,
                                NOWHERE,
                                LabSpec.replicationSecret(dir.resolve("replication-password")))
                        + "cutover:\n  mode: manual\n");
        return spec;
    }

    private static OperatorCli.Output cli(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--address";
        all[args.length + 1] = temporal.address();
        return OperatorCli.run(dir, all);
    }

    /**
     * A mistyped target address: preflight gives up within a minute (not after two hours of
     * retries), and `start --wait` ends with exit 1 and the real cause, not "Failure exceeds size
     * limit"; status then exits 1 too.
     */
    @Test
    void anUnreachableTargetFailsPreflightWithinAMinuteWithTheRealCause() throws Exception {
        Path spec = dir.resolve("unreachable.yaml");
        Files.writeString(
                spec,
                LabSpec.specHead(
                                "unreachable",
                                SRC_ADDRESS,
                                NOWHERE,
                                LabSpec.replicationSecret(dir.resolve("replication-password")))
                        + LabSpec.TEST_PACE);
        long t0 = System.nanoTime();
        OperatorCli.Output run = cli("start", "--wait", "--poll", "1s", spec.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.println("start --wait ended after " + took.toSeconds() + " s: " + run);

        assertEquals(1, run.exit(), run.toString());
        assertTrue(took.compareTo(Duration.ofSeconds(90)) < 0, "preflight gave up after " + took.toSeconds() + " s");
        assertTrue(run.out().contains("preflight cannot reach the target " + NOWHERE), run.toString());
        assertTrue(run.out().contains("No route to host") || run.out().contains("timed out"), "the cause: " + run);
        assertTrue(run.out().contains("Check target.address in the spec"), run.toString());
        assertFalse((run.out() + run.err()).contains("exceeds size limit"), run.toString());
        assertFalse(run.out().contains("PT"), "durations in human units: " + run);

        OperatorCli.Output status = cli("status", "unreachable");
        assertEquals(1, status.exit(), "status of a failed migration\n" + status);
        assertTrue(status.out().contains("preflight cannot reach the target"), status.toString());
    }

    /**
     * No worker on the migration's task queue: approve and pause are refused at once, saying that
     * nothing was sent and what to start, instead of waiting half a minute and leaving it in doubt.
     */
    @Test
    void approveAndPauseWithNoWorkerAreRefusedAtOnceAndNothingIsSent() throws Exception {
        Path spec = manualSpecToNowhere("no-worker");
        OperatorCli.Output started = cli("start", spec.toString(), "--task-queue", "nobody-polls");
        assertEquals(0, started.exit(), started.toString());
        assertTrue(started.err().contains("WARNING: no worker polls task queue 'nobody-polls'"), started.toString());

        for (String verb : new String[] {"approve", "pause"}) {
            long t0 = System.nanoTime();
            OperatorCli.Output refused = cli(verb, "no-worker", "--task-queue", "nobody-polls");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.println(verb + " without a worker answered in " + took.toMillis() + " ms: " + refused);
            assertEquals(1, refused.exit(), refused.toString());
            assertTrue(
                    refused.err().contains("was NOT sent: no worker polls task queue 'nobody-polls'"),
                    refused.toString());
            assertTrue(refused.err().contains("./switchover worker"), refused.toString());
            assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, verb + " took " + took.toSeconds() + " s");
        }
        // Nothing waits to be applied: the history holds no update and no signal.
        OperatorCli.Output history = cli("status", "no-worker", "--json");
        assertFalse(history.out().contains("approved"), history.toString());
    }

    /**
     * list shows each running migration's phase and what it waits for, and an aborted one as
     * aborted, not failed; status says aborted too.
     */
    @Test
    void listShowsThePhaseAndWhatEachWaitsForAndAnAbortAsAborted() throws Exception {
        Path spec = manualSpecToNowhere("to-abort");
        assertEquals(0, cli("start", spec.toString()).exit());
        Thread.sleep(3000);
        OperatorCli.Output running = cli("list");
        System.out.println("list: " + running);
        assertEquals(0, running.exit(), running.toString());
        assertTrue(running.out().contains("PHASE") && running.out().contains("WAITING FOR"), running.toString());
        String row = running.out()
                .lines()
                .filter(l -> l.startsWith("switchover-to-abort "))
                .findFirst()
                .orElse("");
        assertTrue(
                row.contains("running") && row.contains("PREFLIGHT") && row.contains("checking both hosts"),
                running.toString());

        OperatorCli.Output aborted = cli("abort", "to-abort", "--reason", "wrong target address");
        assertEquals(0, aborted.exit(), aborted.toString());
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        OperatorCli.Output status = cli("status", "to-abort");
        while (status.exit() == 0 && System.nanoTime() < until) {
            Thread.sleep(1000);
            status = cli("status", "to-abort");
        }
        assertEquals(1, status.exit(), status.toString());
        assertTrue(status.out().contains("Workflow     aborted at"), status.toString());
        OperatorCli.Output all = cli("list", "--all");
        System.out.println("list --all: " + all);
        String ended = all.out()
                .lines()
                .filter(l -> l.startsWith("switchover-to-abort "))
                .findFirst()
                .orElse("");
        assertTrue(ended.contains(" aborted "), all.toString());
    }
}
