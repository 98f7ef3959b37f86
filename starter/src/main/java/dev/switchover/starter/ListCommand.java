package dev.switchover.starter;

import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.status.MigrationStatus;
import io.grpc.Status;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "list",
        description = {
            "List running migrations and fleets (all of them with --all), newest first.",
            "Running migrations show their phase, lag and what they wait for (asked of the worker, 3 s each at most)."
        })
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--all", description = "Include migrations that have ended.")
    boolean all;

    @Option(
            names = "--limit",
            defaultValue = "50",
            paramLabel = "N",
            description = "Show at most N (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        if (limit < 1) throw CliFailure.badInput("--limit must be at least 1");
        String query =
                "(WorkflowType = '" + Migrations.WORKFLOW_TYPE + "' OR WorkflowType = '" + Fleets.WORKFLOW_TYPE + "')"
                        // A migration that continued as new at a long wait is one migration: its current run.
                        + (all ? " AND ExecutionStatus != 'ContinuedAsNew'" : " AND ExecutionStatus = 'Running'");
        try (TemporalConnection temporal = TemporalConnection.open(connection)) {
            List<WorkflowExecutionMetadata> found;
            try {
                found = temporal.client().listExecutions(query).limit(limit).toList();
            } catch (RuntimeException e) {
                if (!FailureText.grpcCode(e, Status.Code.UNIMPLEMENTED)
                        && !FailureText.grpcCode(e, Status.Code.INVALID_ARGUMENT)) throw e;
                throw CliFailure.failed("the Temporal at " + temporal.where() + " cannot list workflows ("
                        + FailureText.grpcReason(e)
                        + "). Listing needs a server with visibility, such as `temporal server"
                        + " start-dev` or a full Temporal cluster; `./switchover status ID` works without it.");
            }
            if (found.isEmpty()) {
                out.println(
                        all
                                ? "No migrations in namespace '" + connection.namespace + "'."
                                : "No running migrations in namespace '" + connection.namespace
                                        + "' (--all shows those that ended).");
            } else {
                WorkflowClient client = temporal.client();
                List<List<String>> rows =
                        found.stream().map(m -> row(client, m)).toList();
                out.print(Human.table(
                        List.of("ID", "KIND", "STATUS", "PHASE", "LAG", "WAITING FOR", "STARTED", "CLOSED"), rows));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static List<String> row(WorkflowClient client, WorkflowExecutionMetadata m) {
        boolean fleet = Fleets.WORKFLOW_TYPE.equals(m.getWorkflowType());
        String id = m.getExecution().getWorkflowId();
        String state = Migrations.word(m.getStatus());
        String phase = "";
        String lag = "";
        String waiting = "";
        if (!fleet && m.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
            // One short query per running migration: what the operator looks for in a list.
            try {
                MigrationStatus s = Migrations.query(
                        Migrations.stub(client, id),
                        MigrationWorkflow.Names.STATUS,
                        MigrationStatus.class,
                        ANSWER_WITHIN);
                phase = s.phase().name() + (s.paused() ? " (paused)" : "");
                lag = s.lag() == null ? "" : Human.lag(s.lag()).replaceFirst("^lag ", "");
                // A step that waits for nothing in particular says what it does.
                waiting = shortened(Human.localTimes(
                        s.waitingFor() == null || s.waitingFor().isBlank()
                                ? s.phase().description()
                                : s.waitingFor()));
            } catch (RuntimeException e) {
                phase = "?";
                waiting = "no worker answers";
            }
        } else if (!fleet
                && m.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED
                && Migrations.aborted(client, m.getExecution())) {
            state = "aborted";
        }
        return List.of(
                id,
                fleet ? "fleet" : "migration",
                state,
                phase,
                lag,
                waiting,
                Human.dateTime(m.getStartTime()),
                Human.dateTime(m.getCloseTime()));
    }

    private static final java.time.Duration ANSWER_WITHIN = java.time.Duration.ofSeconds(3);
    private static final int WAITING_CHARS = 60;

    private static String shortened(String text) {
        return text.length() <= WAITING_CHARS ? text : text.substring(0, WAITING_CHARS - 1) + "…";
    }
}
