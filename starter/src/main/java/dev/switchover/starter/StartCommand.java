package dev.switchover.starter;

import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.spec.CutoverMode;
import dev.switchover.workflows.spec.MigrationSpec;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "start",
        description = {
            "Validate SPEC and start its migration. Prints the workflow id on the first line of stdout.",
            "Starting a spec whose migration is already running is harmless: it says so and exits 0.",
            "A spec whose migration failed or was aborted may be started again once fixed.",
            "Exit codes: 0 started (or already running; with --wait: completed), 1 failed or aborted,",
            "2 bad input, 3 not started: a migration of this spec already completed."
        })
final class StartCommand implements Callable<Integer> {
    /** Each poll is a query the worker answers; faster than this only loads it. */
    private static final Duration MIN_POLL = Duration.ofMillis(100);

    @Spec
    CommandSpec command;

    @Mixin
    ConnectionOptions connection;

    @Parameters(paramLabel = "SPEC", description = "The migration spec (YAML).")
    Path specFile;

    @Option(names = "--wait", description = "Follow the migration until it ends; exit 0 only if it completed.")
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
        if (poll.compareTo(MIN_POLL) < 0)
            throw CliFailure.badInput("--poll must be at least " + Human.duration(MIN_POLL));
        // Before any connection: a bad spec must not reach Temporal, let alone a database.
        MigrationSpec spec = SpecFiles.load(specFile);
        String id = spec.workflowId();
        try (TemporalConnection temporal = TemporalConnection.openOrEmbed(connection)) {
            temporal.printEmbeddedNotice(err, id);
            boolean follow = wait || temporal.embedded();
            WorkflowClient client = temporal.client();
            MigrationWorkflow workflow = client.newWorkflowStub(MigrationWorkflow.class, options(spec));
            try {
                WorkflowClient.start(workflow::migrate, spec, null);
                out.println(id);
                out.flush();
                err.println("Started migration " + spec.name() + " ("
                        + spec.engine().id() + " " + spec.source().address() + " → "
                        + spec.target().address() + ") on " + temporal.where() + ", task queue " + connection.taskQueue
                        + ".");
                if (!temporal.embedded()) warnIfNoWorker(client, connection.taskQueue, err);
            } catch (WorkflowExecutionAlreadyStarted e) {
                Migrations.Found existing = Migrations.find(client, id);
                out.println(id);
                out.flush();
                if (existing.running()) {
                    err.println("Migration " + id + " is already running (" + existing.stateWithTime()
                            + "); not starting it again.");
                } else {
                    // The reuse policy lets a failed, aborted or cancelled run start again: only a completed one is
                    // here.
                    err.println(
                            "Migration " + id + " already " + existing.stateWithTime() + ": its source is no longer the"
                                    + " primary, so it is not run again and nothing was started. To move the new primary on, write a"
                                    + " spec with it as the source and a new name.");
                    printHints(err, spec, id, false, false);
                    return ExitCodes.NOT_STARTED;
                }
            }
            printHints(err, spec, id, follow, true);
            if (!follow) return ExitCodes.OK;
            return new ProgressFollower(client, id, poll, out, Clock.systemDefaultZone()).follow();
        }
    }

    private WorkflowOptions options(MigrationSpec spec) {
        return WorkflowOptions.newBuilder()
                .setWorkflowId(spec.workflowId())
                .setTaskQueue(connection.taskQueue)
                // A second start of a running migration must not start a second one.
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                // After an abort or failure the same spec may run again once fixed; after success it
                // must not, since its source is no longer the primary.
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .setStaticSummary("Migrate " + spec.name() + " ("
                        + spec.engine().id() + ") " + spec.source().address() + " → "
                        + spec.target().address())
                .setStaticDetails(details(spec))
                .build();
    }

    /** The Web UI's description of the run: what moves where, and who opens the gate. */
    static String details(MigrationSpec spec) {
        String gate = spec.cutover().mode() == CutoverMode.MANUAL
                ? "manual: waits for `switchover approve " + spec.workflowId() + "` (approval valid for "
                        + Human.duration(spec.cutover().approvalValidFor()) + ")"
                : "automatic: cuts over once the target has been in sync for "
                        + Human.duration(spec.catchUp().holdFor());
        return "**Engine:** " + spec.engine().id() + "\n\n"
                + "**Source:** " + spec.source().address() + ":"
                + spec.source().database().port() + "\n\n"
                + "**Target:** " + spec.target().address() + ":"
                + spec.target().database().port() + "\n\n"
                + "**Cutover:** " + gate + "\n\n"
                + "**Traffic:** " + spec.traffic().type().id();
    }

    private static void printHints(PrintWriter err, MigrationSpec spec, String id, boolean follow, boolean running) {
        err.println("  status:   ./switchover status " + id);
        if (!running) return;
        if (spec.cutover().mode() == CutoverMode.MANUAL) {
            err.println("  approve:  ./switchover approve " + id + "   (when status shows AWAIT_CUTOVER)");
        }
        err.println("  abort:    ./switchover abort " + id + " --reason TEXT   (until promotion)");
        if (follow) err.println("Following progress; Ctrl-C stops following, not the migration.");
        err.flush();
    }

    /** A migration without a worker waits silently; say so while the operator is still looking. */
    private static void warnIfNoWorker(WorkflowClient client, String taskQueue, PrintWriter err) {
        TaskQueuePollers.Seen workers = TaskQueuePollers.seen(client, taskQueue);
        if (!workers.alive(java.time.Instant.now())) {
            err.println(
                    "switchover: WARNING: no worker polls task queue '" + taskQueue + "' (" + workers.describe()
                            + "); the migration starts when one does (`./switchover worker` on a machine that can reach both hosts).");
        }
    }
}
