package dev.switchover.starter;

import dev.switchover.workflows.fleet.FleetApproval;
import dev.switchover.workflows.fleet.FleetLoader;
import dev.switchover.workflows.fleet.FleetSpec;
import dev.switchover.workflows.fleet.FleetState;
import dev.switchover.workflows.fleet.FleetStatus;
import dev.switchover.workflows.fleet.FleetWorkflow;
import dev.switchover.workflows.spec.InvalidSpecException;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "start",
        description = {
            "Validate FLEET (and every migration spec it lists) and start the fleet. Prints the fleet's workflow id on the"
                    + " first line of stdout."
        })
final class FleetStartCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "FLEET", description = "The fleet file (YAML), listing the migration spec files per wave.")
    Path fleetFile;

    @Option(names = "--wait", description = "Follow the fleet until it ends; exit 0 only if every migration completed.")
    boolean wait;

    @Option(
            names = "--poll",
            defaultValue = "2s",
            paramLabel = "DURATION",
            description = "How often --wait asks for status (default ${DEFAULT-VALUE}).")
    Duration poll;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        FleetSpec fleet = load(fleetFile);
        String id = fleet.workflowId();
        try (TemporalConnection temporal = TemporalConnection.openOrEmbed(connection)) {
            temporal.printEmbeddedNotice(err, id);
            WorkflowClient client = temporal.client();
            FleetWorkflow workflow = client.newWorkflowStub(FleetWorkflow.class, options(fleet));
            try {
                WorkflowClient.start(workflow::migrateFleet, fleet);
                err.println("Started fleet " + fleet.name() + " (" + summary(fleet) + ") on " + temporal.where() + ".");
            } catch (WorkflowExecutionAlreadyStarted e) {
                Migrations.Found existing = Fleets.find(client, id);
                err.println("Fleet " + id + " already " + existing.stateWithTime() + "; not starting it again.");
            }
            out.println(id);
            out.flush();
            err.println("  status:   ./switchover fleet status " + id);
            if (fleet.approval() == FleetApproval.WAVE) {
                err.println("  approve:  ./switchover fleet approve " + id + " --wave NAME   (one approval per wave)");
            }
            err.println("  abort:    ./switchover fleet abort " + id + " --reason TEXT");
            err.flush();
            if (!wait && !temporal.embedded()) return ExitCodes.OK;
            return follow(client, id, out);
        }
    }

    private static FleetSpec load(Path file) {
        try {
            return FleetLoader.load(file);
        } catch (InvalidSpecException e) {
            throw SpecFiles.invalid(file, e);
        }
    }

    private WorkflowOptions options(FleetSpec fleet) {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(fleet.workflowId())
                .setTaskQueue(connection.taskQueue)
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .setStaticSummary("Fleet " + fleet.name() + ": " + summary(fleet))
                .setStaticDetails(fleet.waves().stream()
                        .map(w -> "**Wave " + w.name() + ":** "
                                + w.migrations().stream()
                                        .map(m -> m.name() + " (" + m.engine().id() + " "
                                                + m.source().address() + " → "
                                                + m.target().address() + ")")
                                        .collect(Collectors.joining(", ")))
                        .collect(Collectors.joining("\n\n")))
                .build();
    }

    private static String summary(FleetSpec fleet) {
        long n = fleet.waves().stream().mapToLong(w -> w.migrations().size()).sum();
        return n + " migration" + (n == 1 ? "" : "s") + " in " + fleet.waves().size() + " wave"
                + (fleet.waves().size() == 1 ? "" : "s") + ", " + fleet.concurrency() + " at a time, approval per "
                + fleet.approval().id() + ", on failure " + fleet.onFailure().id();
    }

    /** A line whenever a migration's state or phase changes, until the fleet ends. */
    private int follow(WorkflowClient client, String id, PrintWriter out) throws InterruptedException {
        Map<String, String> seen = new HashMap<>();
        while (true) {
            FleetStatus s = Fleets.status(client, id);
            for (FleetStatus.Member m : s.migrations()) {
                String now = m.state() + (m.phase() == null ? "" : " " + m.phase());
                if (!now.equals(seen.put(m.migration(), now))) {
                    out.println(Human.clock(Instant.now()) + "  " + m.migration() + ": " + now
                            + (m.detail() == null || m.detail().isEmpty() ? "" : " — " + m.detail()));
                    out.flush();
                }
            }
            if (s.state().isEnded()) {
                out.println("Fleet " + s.fleet() + " " + s.state());
                out.flush();
                return s.state() == FleetState.DONE ? ExitCodes.OK : ExitCodes.FAILED;
            }
            Thread.sleep(poll.toMillis());
        }
    }
}
