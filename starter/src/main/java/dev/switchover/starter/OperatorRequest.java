package dev.switchover.starter;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * An operator's request as a workflow Update: the workflow's validator accepts or refuses it at
 * once, and the answer is printed either way.
 */
final class OperatorRequest {
    /**
     * An update is answered within a workflow task, so seconds; without a worker it is never
     * answered, and the operator should hear that rather than wait.
     */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);

    private OperatorRequest() {}

    /**
     * Sends update {@code name} with {@code argument} to the migration {@code id}. Prints the
     * workflow's answer and returns 0, or ends the verb with exit 1 and the workflow's reason.
     *
     * @param what the request in words, for messages: "approval", "abort", "pause", "resume"
     */
    static int send(
            ConnectionOptions connection, PrintWriter out, String id, String name, String what, Object argument) {
        return send(connection, out, client -> Migrations.find(client, id), name, what, argument, accepted -> {});
    }

    /** As {@link #send(ConnectionOptions, PrintWriter, String, String, String, Object)}, then {@code accepted} with the workflow's stub. */
    static int send(
            ConnectionOptions connection,
            PrintWriter out,
            String id,
            String name,
            String what,
            Object argument,
            java.util.function.Consumer<io.temporal.client.WorkflowStub> accepted) {
        return send(connection, out, client -> Migrations.find(client, id), name, what, argument, accepted);
    }

    /** As {@link #send(ConnectionOptions, PrintWriter, String, String, String, Object)}, to the workflow {@code find} finds. */
    static int send(
            ConnectionOptions connection,
            PrintWriter out,
            Function<WorkflowClient, Migrations.Found> find,
            String name,
            String what,
            Object argument) {
        return send(connection, out, find, name, what, argument, accepted -> {});
    }

    private static int send(
            ConnectionOptions connection,
            PrintWriter out,
            Function<WorkflowClient, Migrations.Found> find,
            String name,
            String what,
            Object argument,
            java.util.function.Consumer<io.temporal.client.WorkflowStub> accepted) {
        try (TemporalConnection temporal = TemporalConnection.open(connection)) {
            WorkflowClient client = temporal.client();
            Migrations.Found found = find.apply(client);
            if (!found.running()) throw ended(what, found);
            // An update without a worker is never answered, and nothing says it survives until one
            // comes: refuse at once, before anything is sent, rather than wait and leave it in doubt.
            TaskQueuePollers.Seen workers = TaskQueuePollers.seen(client, connection.taskQueue);
            if (!workers.alive(java.time.Instant.now())) {
                throw CliFailure.failed(
                        "the " + what + " was NOT sent: no worker polls task queue '" + connection.taskQueue
                                + "' (" + workers.describe()
                                + "), so the migration cannot answer it. Start one (`./switchover worker`"
                                + " on a machine that reaches both hosts) and send it again.");
            }
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(
                    () -> Migrations.stub(client, found.id()).update(name, String.class, argument));
            try {
                out.println(answer.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS));
                out.flush();
                accepted.accept(Migrations.stub(client, found.id()));
                return ExitCodes.OK;
            } catch (TimeoutException e) {
                answer.cancel(true);
                throw CliFailure.failed("the migration did not answer the " + what + " within "
                        + Human.duration(ANSWER_WITHIN) + " (is the worker on task queue '" + connection.taskQueue
                        + "' overloaded or stuck?). Whether it was applied is not known: `./switchover status "
                        + found.id()
                        + "` says; send it again if it was not.");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof WorkflowUpdateException refused) {
                    throw CliFailure.failed(what + " rejected: " + reason(refused));
                }
                if (cause instanceof WorkflowNotFoundException) {
                    throw ended(what, find.apply(client));
                }
                throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliFailure.failed("interrupted before the migration answered the " + what);
            }
        }
    }

    private static CliFailure ended(String what, Migrations.Found found) {
        return CliFailure.failed(what + " rejected: " + found.id() + " has already ended (" + found.stateWithTime()
                + "); `./switchover status " + found.id() + "` shows how.");
    }

    /** The validator's own words. */
    private static String reason(WorkflowUpdateException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof ApplicationFailure a) return a.getOriginalMessage();
        }
        return String.join("; ", FailureText.chain(e.getCause()));
    }
}
