package dev.switchover.starter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchover.workflows.fleet.FleetStatus;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "status",
        description = {
            "Show a fleet's waves and each migration's state and phase; `switchover status NAME` shows one migration in full."
        })
final class FleetStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "ID", description = "Fleet id (switchover-fleet-NAME) or fleet name.")
    String id;

    @Option(names = "--json", description = "Print the status as JSON, for scripts.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        try (TemporalConnection temporal = TemporalConnection.open(connection)) {
            WorkflowClient client = temporal.client();
            Migrations.Found found = Fleets.find(client, id);
            FleetStatus status = Fleets.status(client, found.id());
            if (json) {
                ObjectNode node = Json.tree(status);
                node.put("workflowId", found.id());
                node.put("workflowStatus", found.state());
                out.println(Json.pretty(node));
            } else {
                if (!found.running()) out.println(String.format("%-13s%s", "Workflow", found.stateWithTime()));
                out.print(FleetStatusTable.render(found.id(), status));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
