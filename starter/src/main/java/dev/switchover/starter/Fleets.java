package dev.switchover.starter;

import dev.switchover.workflows.fleet.FleetSpec;
import dev.switchover.workflows.fleet.FleetStatus;
import dev.switchover.workflows.fleet.FleetWorkflow;
import io.temporal.client.WorkflowClient;

/** Finds a fleet by its workflow id, or by its name as a convenience. */
final class Fleets {
    static final String WORKFLOW_TYPE = "FleetWorkflow";

    private Fleets() {}

    /** Ends the verb with exit 2 when no such fleet exists, or the id is another kind of workflow. */
    static Migrations.Found find(WorkflowClient client, String idOrName) {
        Migrations.Found found = Migrations.describe(client, idOrName);
        if (found == null) found = Migrations.describe(client, FleetSpec.workflowId(idOrName));
        if (found == null) {
            throw CliFailure.badInput("no fleet '" + idOrName + "' in namespace '"
                    + client.getOptions().getNamespace() + "'. Fleet ids look like " + FleetSpec.workflowId("NAME")
                    + " (NAME from the fleet file's fleet:).");
        }
        String type = found.description().getWorkflowType();
        if (!WORKFLOW_TYPE.equals(type)) {
            throw CliFailure.badInput("'" + found.id() + "' is a " + type + " workflow, not a fleet"
                    + (Migrations.WORKFLOW_TYPE.equals(type)
                            ? "; `switchover status " + found.id() + "` shows it"
                            : ""));
        }
        return found;
    }

    /** The fleet's status query, given up as a migration's is. */
    static FleetStatus status(WorkflowClient client, String id) {
        try {
            return Migrations.query(Migrations.stub(client, id), FleetWorkflow.Names.STATUS, FleetStatus.class);
        } catch (IllegalStateException e) {
            throw CliFailure.failed(
                    "fleet " + id + ": " + e.getMessage() + ". Is a worker running? (`./switchover worker`)");
        }
    }
}
