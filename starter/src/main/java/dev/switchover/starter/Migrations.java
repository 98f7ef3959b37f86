package dev.switchover.starter;

import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.status.MigrationStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.errordetails.v1.NamespaceNotFoundFailure;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.StatusUtils;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Finds a migration by its workflow id, or by its spec name as a convenience. */
final class Migrations {
    /** The workflow type name Temporal records: the interface's simple name. */
    static final String WORKFLOW_TYPE = "MigrationWorkflow";

    private static final String ID_PREFIX = "switchover-";

    /** A worker answers a query in milliseconds; this allows for a busy one. */
    static final Duration QUERY_ANSWER_WITHIN = Duration.ofSeconds(10);

    private Migrations() {}

    /** A migration that exists on the server, as Temporal describes it. */
    record Found(String id, WorkflowExecutionDescription description) {
        boolean running() {
            return description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
        }

        /** "running", "completed", "failed", "cancelled", "terminated", "timed out". */
        String state() {
            return word(description.getStatus());
        }

        /**
         * The exit code of a command that shows this migration: 0 while it runs or once it completed,
         * 1 if it ended any other way (failed, aborted, cancelled, terminated, timed out), so that a
         * script's {@code switchover status} says whether the migration went wrong.
         */
        int exitCode() {
            return running() || description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
                    ? ExitCodes.OK
                    : ExitCodes.FAILED;
        }

        /** "completed at 2024-05-01 12:01:03", or "running since ...". */
        String stateWithTime() {
            return running()
                    ? "running since " + Human.dateTime(description.getStartTime())
                    : state() + " at " + Human.dateTime(description.getCloseTime());
        }
    }

    /**
     * Describes {@code idOrName}: a workflow id ({@code switchover-orders}) or a spec name
     * ({@code orders}). Ends the verb with exit 2 when neither exists in the namespace.
     */
    static Found find(WorkflowClient client, String idOrName) {
        Found found = describe(client, idOrName);
        if (found == null && !idOrName.startsWith(ID_PREFIX)) found = describe(client, ID_PREFIX + idOrName);
        if (found == null) found = latestScheduledRun(client, idOrName);
        if (found == null) {
            throw CliFailure.badInput("no migration '" + idOrName + "' in namespace '"
                    + client.getOptions().getNamespace() + "'. Migration ids look like " + ID_PREFIX
                    + "NAME (NAME from the spec); `./switchover list --all` shows them.");
        }
        String type = found.description().getWorkflowType();
        if (!WORKFLOW_TYPE.equals(type)) {
            throw CliFailure.badInput("'" + found.id() + "' is a " + type + " workflow, not a migration"
                    + (Fleets.WORKFLOW_TYPE.equals(type)
                            ? "; `switchover fleet status " + found.id() + "` shows it"
                            : ""));
        }
        return found;
    }

    /**
     * A run that a schedule started: Temporal names it after the schedule's workflow id and the
     * time it fired (switchover-NAME-2026-12-06T02:00:00Z), so it is found by the schedule's id
     * (switchover-NAME by default) or the spec's name, the latest run first. Null without one, or
     * on a server that cannot search (the schedule's runs need one that can).
     */
    private static Found latestScheduledRun(WorkflowClient client, String idOrName) {
        String scheduleId = idOrName.startsWith(ID_PREFIX) ? idOrName : ID_PREFIX + idOrName;
        try {
            return client.listExecutions("TemporalScheduledById = '" + scheduleId.replace("'", "") + "'")
                    .limit(1)
                    .findFirst()
                    .map(m -> describe(client, m.getExecution().getWorkflowId()))
                    .orElse(null);
        } catch (RuntimeException e) {
            if (FailureText.grpcCode(e, Status.Code.UNIMPLEMENTED)
                    || FailureText.grpcCode(e, Status.Code.INVALID_ARGUMENT)) {
                return null;
            }
            throw e;
        }
    }

    /** Whether a failed migration ended by an operator's abort: its closing event's failure type says so. */
    static boolean aborted(WorkflowClient client, io.temporal.api.common.v1.WorkflowExecution execution) {
        try {
            var last = client.getWorkflowServiceStubs()
                    .blockingStub()
                    .withDeadlineAfter(TemporalConnection.PROBE_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .getWorkflowExecutionHistoryReverse(
                            io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryReverseRequest.newBuilder()
                                    .setNamespace(client.getOptions().getNamespace())
                                    .setExecution(execution)
                                    .setMaximumPageSize(1)
                                    .build())
                    .getHistory()
                    .getEventsList();
            if (!last.isEmpty() && last.get(0).hasWorkflowExecutionCanceledEventAttributes()) return true;
            return !last.isEmpty()
                    && last.get(0).hasWorkflowExecutionFailedEventAttributes()
                    && dev.switchover.workflows.Failures.ABORTED.equals(last.get(0)
                            .getWorkflowExecutionFailedEventAttributes()
                            .getFailure()
                            .getApplicationFailureInfo()
                            .getType());
        } catch (RuntimeException e) {
            return false; // a server without the call: the status stays "failed"
        }
    }

    static WorkflowStub stub(WorkflowClient client, String id) {
        return client.newUntypedWorkflowStub(id, Optional.empty(), Optional.empty());
    }

    /**
     * The status query, given up after {@link #QUERY_ANSWER_WITHIN}: without a worker the server
     * holds a query, and the SDK retries it, for a minute or more.
     */
    static MigrationStatus status(WorkflowStub stub) {
        return query(stub, MigrationWorkflow.Names.STATUS, MigrationStatus.class);
    }

    /** Query {@code name}, given up as {@link #status} is. */
    static <T> T query(WorkflowStub stub, String name, Class<T> type) {
        return query(stub, name, type, QUERY_ANSWER_WITHIN);
    }

    /** Query {@code name}, given up after {@code within}. */
    static <T> T query(WorkflowStub stub, String name, Class<T> type, Duration within) {
        CompletableFuture<T> answer = CompletableFuture.supplyAsync(() -> stub.query(name, type));
        try {
            return answer.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new IllegalStateException("no worker answered the status query within " + Human.duration(within));
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking for status", e);
        }
    }

    static Found describe(WorkflowClient client, String id) {
        try {
            return new Found(id, stub(client, id).describe());
        } catch (WorkflowNotFoundException e) {
            if (isNamespaceMissing(e)) throw namespaceMissing(client);
            return null;
        } catch (RuntimeException e) {
            if (!FailureText.grpcCode(e, Status.Code.NOT_FOUND)) throw e;
            if (isNamespaceMissing(e)) throw namespaceMissing(client);
            return null;
        }
    }

    private static boolean isNamespaceMissing(Throwable e) {
        StatusRuntimeException grpc = FailureText.grpcCause(e);
        return grpc != null && StatusUtils.hasFailure(grpc, NamespaceNotFoundFailure.class);
    }

    private static CliFailure namespaceMissing(WorkflowClient client) {
        return CliFailure.badInput("namespace '" + client.getOptions().getNamespace()
                + "' does not exist on this Temporal server; check --namespace or TEMPORAL_NAMESPACE");
    }

    static String word(WorkflowExecutionStatus status) {
        return switch (status) {
            case WORKFLOW_EXECUTION_STATUS_RUNNING -> "running";
            case WORKFLOW_EXECUTION_STATUS_COMPLETED -> "completed";
            case WORKFLOW_EXECUTION_STATUS_FAILED -> "failed";
            // Before promotion a cancellation is an abort (the workflow rolls back for either), and the CLI's abort
            // requests one.
            case WORKFLOW_EXECUTION_STATUS_CANCELED -> "aborted";
            case WORKFLOW_EXECUTION_STATUS_TERMINATED -> "terminated";
            case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> "timed out";
            case WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW -> "continued as new";
            default -> status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase();
        };
    }
}
