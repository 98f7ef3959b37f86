package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.DevServer;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.worker.durability.WorkerProcess;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Automation's way in: {@code switchover schedule create} against a real Temporal dev server, a
 * worker process, and lab hosts schs → scht. Temporal starts the migration at the time given in
 * Europe/Oslo's local time, and it completes; the other verbs act on a second schedule whose
 * migration runs on a task queue no worker polls, so it never touches a host.
 */
class ScheduledMigrationIT {
    private static final String SRC_ADDRESS = LabHost.SCHS.address();
    private static final String DST_ADDRESS = LabHost.SCHT.address();
    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    private final long t0 = System.nanoTime();

    @Test
    void aScheduleStartsTheMigrationAtItsTimeAndTheVerbsActOnIt() throws Exception {
        LabPair lab = LabPair.up(LabHost.SCHS, LabHost.SCHT);
        lab.reset();
        lab.seedOrders(10_000);
        Path dir = Files.createTempDirectory("switchover-schedule");
        try (DevServer temporal = DevServer.start(dir.resolve("temporal.db"));
                WorkerProcess worker = WorkerProcess.start(temporal.address(), dir.resolve("worker.log"))) {
            String address = temporal.address();
            Path spec = dir.resolve("nightly.yaml");
            Files.writeString(spec, lab.spec("nightly", "automatic", dir));
            ZonedDateTime at = ZonedDateTime.now(OSLO).plusSeconds(25).truncatedTo(ChronoUnit.SECONDS);

            OperatorCli.Output created = OperatorCli.run(
                    dir,
                    "schedule",
                    "create",
                    spec.toString(),
                    "--at",
                    at.toLocalDateTime().toString(),
                    "--time-zone",
                    "Europe/Oslo",
                    "--note",
                    "CHG-7",
                    "--address",
                    address);
            say("created: " + created);
            assertEquals(0, created.exit(), created.toString());
            assertEquals("switchover-nightly", created.out().strip());
            assertTrue(created.err().contains("once at " + at.toLocalDateTime() + " Europe/Oslo"), created.toString());

            OperatorCli.Output listed = OperatorCli.run(dir, "schedule", "list", "--address", address);
            assertEquals(0, listed.exit(), listed.toString());
            assertTrue(
                    listed.out().contains("switchover-nightly")
                            && listed.out().contains("nightly (postgresql " + SRC_ADDRESS + " → " + DST_ADDRESS + ")")
                            && listed.out().contains("active"),
                    listed.toString());

            WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                    WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
            try {
                ScheduleClient schedules = ScheduleClient.newInstance(stubs);
                ScheduleActionResult fired = awaitFirstAction(schedules, "switchover-nightly", Duration.ofSeconds(90));
                String workflowId = ((io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow)
                                fired.getAction())
                        .getWorkflowId();
                say("fired at " + fired.getStartedAt() + ", started " + workflowId);
                assertTrue(!fired.getScheduledAt().isBefore(at.toInstant()), "not before its time: " + fired);
                assertTrue(workflowId.startsWith("switchover-nightly-"), workflowId);

                MigrationResult done = WorkflowClient.newInstance(stubs)
                        .newUntypedWorkflowStub(workflowId)
                        .getResult(6, TimeUnit.MINUTES, MigrationResult.class);
                assertEquals(
                        Phase.DONE,
                        done.status().phase(),
                        "failure: " + done.status().failure());
                assertEquals(DST_ADDRESS, done.newPrimary());
                assertEquals(lab.orders(SRC_ADDRESS), lab.orders(DST_ADDRESS), "every row of orders on the target");

                OperatorCli.Output described =
                        OperatorCli.run(dir, "schedule", "describe", "switchover-nightly", "--address", address);
                say("described: " + described);
                assertEquals(0, described.exit(), described.toString());
                assertTrue(
                        described.out().contains("Runs left: 0")
                                && described.out().contains("Next:      none")
                                && described.out().contains("Started:   " + workflowId)
                                && described.out().contains("(CHG-7)"),
                        described.toString());

                // The run is found by the migration's name, as the operator knows it.
                OperatorCli.Output status = OperatorCli.run(dir, "status", "nightly", "--address", address);
                say("status nightly: " + status);
                assertEquals(0, status.exit(), status.toString());
                assertTrue(
                        status.out().contains("[" + workflowId + "]")
                                && status.out().contains("DONE"),
                        status.toString());

                verbsOnASecondSchedule(lab, dir, address, schedules, stubs);
            } finally {
                stubs.shutdownNow();
            }
        }
    }

    /** Paused, unpaused, triggered (on a queue no worker polls: the migration waits untouched) and deleted. */
    private void verbsOnASecondSchedule(
            LabPair lab, Path dir, String address, ScheduleClient schedules, WorkflowServiceStubs stubs)
            throws Exception {
        Path spec = dir.resolve("later.yaml");
        Files.writeString(spec, lab.spec("later", "manual", dir));
        String nobody = "nobody-polls-this";
        OperatorCli.Output created = OperatorCli.run(
                dir,
                "schedule",
                "create",
                spec.toString(),
                "--cron",
                "0 3 1 1 *",
                "--time-zone",
                "Europe/Oslo",
                "--paused",
                "--task-queue",
                nobody,
                "--address",
                address);
        assertEquals(0, created.exit(), created.toString());
        assertTrue(created.err().contains("cron '0 3 1 1 *' Europe/Oslo, paused; next at"), created.toString());
        assertEquals("paused", state(dir, address));
        assertEquals(
                0,
                OperatorCli.run(dir, "schedule", "unpause", "switchover-later", "--note", "CHG-8", "--address", address)
                        .exit());
        assertEquals("active (CHG-8)", state(dir, address));
        assertEquals(
                0,
                OperatorCli.run(dir, "schedule", "pause", "switchover-later", "--address", address)
                        .exit());
        assertTrue(state(dir, address).startsWith("paused"));

        OperatorCli.Output triggered =
                OperatorCli.run(dir, "schedule", "trigger", "switchover-later", "--address", address);
        assertEquals(0, triggered.exit(), triggered.toString());
        ScheduleActionResult started = awaitFirstAction(schedules, "switchover-later", Duration.ofSeconds(30));
        String id = ((io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow) started.getAction())
                .getWorkflowId();
        say("triggered " + id);
        assertTrue(id.startsWith("switchover-later-"), id);
        WorkflowClient.newInstance(stubs).newUntypedWorkflowStub(id).terminate("test: never meant to run");

        OperatorCli.Output deleted =
                OperatorCli.run(dir, "schedule", "delete", "switchover-later", "--address", address);
        assertEquals(0, deleted.exit(), deleted.toString());
        OperatorCli.Output gone =
                OperatorCli.run(dir, "schedule", "describe", "switchover-later", "--address", address);
        assertEquals(2, gone.exit(), gone.toString());
        assertTrue(gone.err().contains("no schedule 'switchover-later'"), gone.toString());
    }

    private static String state(Path dir, String address) throws Exception {
        OperatorCli.Output d = OperatorCli.run(dir, "schedule", "describe", "switchover-later", "--address", address);
        assertEquals(0, d.exit(), d.toString());
        for (String line : d.out().split("\n")) {
            if (line.startsWith("State:"))
                return line.substring("State:".length()).strip();
        }
        throw new AssertionError("no State line: " + d);
    }

    private static ScheduleActionResult awaitFirstAction(ScheduleClient schedules, String id, Duration within)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            ScheduleDescription d = schedules.getHandle(id).describe();
            List<ScheduleActionResult> recent = d.getInfo().getRecentActions();
            if (!recent.isEmpty()) return recent.get(0);
            Thread.sleep(500);
        }
        throw new AssertionError(id + " started nothing within " + within.toSeconds() + " s");
    }

    private void say(String line) {
        System.out.printf("schedule %6.1fs  %s%n", (System.nanoTime() - t0) / 1e9, line);
    }
}
