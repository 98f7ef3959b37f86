package dev.switchover.starter;

import io.grpc.Status;
import io.temporal.client.WorkflowExecutionMetadata;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", description = "List running migrations and fleets (all of them with --all), newest first.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec command;
  @Mixin ConnectionOptions connection;

  @Option(names = "--all", description = "Include migrations that have ended.")
  boolean all;

  @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "Show at most N (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    if (limit < 1) throw CliFailure.badInput("--limit must be at least 1");
    String query = "(WorkflowType = '" + Migrations.WORKFLOW_TYPE + "' OR WorkflowType = '" + Fleets.WORKFLOW_TYPE + "')"
        + (all ? "" : " AND ExecutionStatus = 'Running'");
    try (TemporalConnection temporal = TemporalConnection.open(connection)) {
      List<WorkflowExecutionMetadata> found;
      try {
        found = temporal.client().listExecutions(query).limit(limit).toList();
      } catch (RuntimeException e) {
        if (!FailureText.grpcCode(e, Status.Code.UNIMPLEMENTED) && !FailureText.grpcCode(e, Status.Code.INVALID_ARGUMENT)) throw e;
        throw CliFailure.failed("the Temporal at " + temporal.where() + " cannot list workflows ("
            + FailureText.grpcReason(e) + "). Listing needs a server with visibility, such as `temporal server"
            + " start-dev` or a full Temporal cluster; `./switchover status ID` works without it.");
      }
      if (found.isEmpty()) {
        out.println(all ? "No migrations in namespace '" + connection.namespace + "'."
            : "No running migrations in namespace '" + connection.namespace + "' (--all shows those that ended).");
      } else {
        List<List<String>> rows = found.stream().map(ListCommand::row).toList();
        out.print(Human.table(List.of("ID", "KIND", "STATUS", "STARTED", "CLOSED"), rows));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  private static List<String> row(WorkflowExecutionMetadata m) {
    return List.of(
        m.getExecution().getWorkflowId(),
        Fleets.WORKFLOW_TYPE.equals(m.getWorkflowType()) ? "fleet" : "migration",
        Migrations.word(m.getStatus()),
        Human.dateTime(m.getStartTime()),
        Human.dateTime(m.getCloseTime()));
  }
}
