package dev.switchover.starter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.status.MigrationStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "status",
        description = {
            "Show a migration's phase, lag, copy progress, approval, the activities running or retrying now,"
                    + " steps and notes.",
            "ID is the workflow id that start printed (switchover-NAME), or the spec's NAME.",
            "Exits 0 while the migration runs or once it completed, 1 if it failed or was aborted"
                    + " (or no worker answers for a running one), 2 if there is no such migration."
        })
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "ID", description = "Workflow id (switchover-NAME) or migration name.")
    String id;

    @Option(names = "--json", description = "Print the status as JSON, for scripts.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        try (TemporalConnection temporal = TemporalConnection.open(connection)) {
            WorkflowClient client = temporal.client();
            Migrations.Found found = Migrations.find(client, id);
            WorkflowStub stub = Migrations.stub(client, found.id());
            MigrationStatus status;
            try {
                status = Migrations.status(stub);
            } catch (RuntimeException e) {
                if (found.running()) {
                    // Nobody answers the query: what the server's history says the steps did is still the truth.
                    RecordedProgress recorded = RecordedProgress.of(
                            client.fetchHistory(found.id()).getEvents(),
                            client.getOptions().getDataConverter());
                    if (json) {
                        Map<String, Object> node = new LinkedHashMap<>();
                        node.put("workflowId", found.id());
                        node.put("workflowStatus", found.state());
                        node.put("fromHistory", recorded.lines());
                        out.println(Json.pretty(node));
                    } else {
                        out.println(String.format("%-12s%s", "Workflow", found.id() + " " + found.stateWithTime()));
                        for (String line : recorded.lines()) out.println(line);
                    }
                    out.flush();
                    throw CliFailure.failed(
                            "no worker answered the status query (" + FailureText.grpcReason(e) + "); the lines"
                                    + " above are from the server's history. Start a worker on task queue '"
                                    + connection.taskQueue
                                    + "' (`./switchover worker`) and the migration goes on where it stopped.");
                }
                return printRecordedEnd(out, found, stub);
            }
            // From the describe that found the migration: no second call, and nothing more that can fail.
            List<PendingActivity> pending =
                    PendingActivities.from(found.description().getRawDescription());
            if (json) {
                ObjectNode node = Json.tree(status);
                node.put("workflowId", found.id());
                node.put("workflowStatus", found.state());
                node.set("pendingActivities", Json.tree(pending));
                out.println(Json.pretty(node));
            } else {
                if (!found.running()) {
                    // Temporal knows only "failed"; an operator's abort is an outcome of its own.
                    String state = found.stateWithTime();
                    if (status.phase() == dev.switchover.workflows.Phase.ABORTED)
                        state = state.replaceFirst("^failed", "aborted");
                    out.println(String.format("%-13s%s", "Workflow", state));
                }
                out.print(StatusTable.render(found.id(), status, pending, Instant.now()));
            }
            out.flush();
            return found.exitCode();
        }
    }

    /**
     * A closed migration whose status query nobody answers (no worker): what Temporal recorded,
     * the final status from the result if it completed, else the failure.
     */
    private int printRecordedEnd(PrintWriter out, Migrations.Found found, WorkflowStub stub) {
        MigrationStatus finalStatus = null;
        List<String> failure = List.of();
        try {
            MigrationResult result = stub.getResult(10, TimeUnit.SECONDS, MigrationResult.class);
            finalStatus = result == null ? null : result.status();
        } catch (WorkflowFailedException e) {
            failure = Outcome.failed(e).lines();
        } catch (TimeoutException e) {
            failure = List.of("Temporal did not return the outcome in time");
        }
        if (json) {
            Map<String, Object> recorded = new LinkedHashMap<>();
            recorded.put("workflowId", found.id());
            recorded.put("workflowStatus", found.state());
            recorded.put("startTime", found.description().getStartTime());
            recorded.put("closeTime", found.description().getCloseTime());
            if (finalStatus != null) recorded.put("status", finalStatus);
            if (!failure.isEmpty())
                recorded.put("failure", failure.stream().map(String::strip).toList());
            out.println(Json.pretty(recorded));
        } else {
            out.println(String.format("%-13s%s", "Workflow", found.id() + " " + found.stateWithTime()));
            if (finalStatus != null) {
                out.println("(final status from the workflow's result; no worker answered the status query)");
                out.print(StatusTable.render(found.id(), finalStatus, Instant.now()));
            } else {
                for (String line : failure) out.println(String.format("%-13s%s", "", line.strip()));
                out.println("(no worker answered the status query; this is what Temporal recorded)");
            }
        }
        out.flush();
        return found.exitCode();
    }
}
