package dev.switchover.starter;

import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.MigrationWorkflow;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "abort",
        description = {
            "Stop the migration and undo its changes to the source, which keeps serving.",
            "Refused from promotion on: the target is then the primary and the migration only goes forward."
        })
final class AbortCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "ID", description = "Workflow id (switchover-NAME) or migration name.")
    String id;

    @Option(
            names = "--reason",
            required = true,
            paramLabel = "TEXT",
            description = "Why; kept in the history and the report.")
    String reason;

    @Option(
            names = "--by",
            defaultValue = "${env:USER:-operator}",
            paramLabel = "NAME",
            description = "Who aborts (default: $USER, else operator).")
    String by;

    @Override
    public Integer call() {
        return OperatorRequest.send(
                connection,
                command.commandLine().getOut(),
                id,
                MigrationWorkflow.Names.ABORT,
                "abort",
                new AbortRequest(by, reason),
                stub -> requestCancellation(stub, by, reason));
    }

    /**
     * Once the abort is accepted, a cancellation request too: Temporal shows a workflow as CANCELED
     * (not FAILED) only when one was requested. The workflow rolls back for the abort either way;
     * past promotion it goes forward and a cancellation changes nothing.
     */
    private static void requestCancellation(io.temporal.client.WorkflowStub stub, String by, String reason) {
        try {
            stub.cancel("aborted by " + by + ": " + reason);
        } catch (RuntimeException ended) {
            // The rollback was quicker: the migration ended as aborted already.
        }
    }
}
