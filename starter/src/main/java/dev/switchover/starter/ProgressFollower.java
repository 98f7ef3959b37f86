package dev.switchover.starter;

import dev.switchover.workflows.MigrationResult;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.status.MigrationStatus;
import dev.switchover.workflows.status.StepRecord;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * {@code start --wait}: polls the status query and prints a line whenever something an operator
 * cares about changes, until the workflow ends; then prints the outcome. Also describes the
 * workflow at each poll, to say each new attempt of a failing activity with its last error.
 */
final class ProgressFollower {
    /**
     * Lag figures change at every sample; a line per sample would bury the lines that matter, so a
     * change in numbers alone is shown at most this often.
     */
    private static final Duration NUMBERS_AT_MOST_EVERY = Duration.ofSeconds(60);

    private static final Pattern FIGURES = Pattern.compile("\\d+(\\.\\d+)?( ?(B|KiB|MiB|GiB|TiB|PiB|ms|s)\\b)?");

    private final WorkflowStub stub;
    private final Duration poll;
    private final PrintWriter out;
    private final Clock clock;

    private String lastKey;
    private String lastWaiting;
    private Instant lastLineAt = Instant.MIN;
    private int stepsReported;
    private int notesReported;
    private String lastQueryError;
    private int queryErrorsInARow;
    private final RetryWatch retries = new RetryWatch();
    private String lastDescribeError;
    private int describeErrorsInARow;

    ProgressFollower(WorkflowClient client, String workflowId, Duration poll, PrintWriter out, Clock clock) {
        this.stub = Migrations.stub(client, workflowId);
        this.poll = poll;
        this.out = out;
        this.clock = clock;
    }

    /** Follows the migration to its end; returns the exit code for its outcome. */
    int follow() throws InterruptedException {
        CompletableFuture<MigrationResult> result = stub.getResultAsync(MigrationResult.class);
        while (true) {
            pollStatus();
            pollRetries();
            try {
                MigrationResult r = result.get(poll.toMillis(), TimeUnit.MILLISECONDS);
                return finish(Outcome.completed(r));
            } catch (TimeoutException stillRunning) {
                // poll again
            } catch (ExecutionException e) {
                if (e.getCause() instanceof WorkflowFailedException failed) return finish(Outcome.failed(failed));
                throw CliFailure.failed("lost track of the migration: " + FailureText.grpcReason(e.getCause())
                        + ". It keeps running on the server; follow it with `./switchover status "
                        + stub.getExecution().getWorkflowId() + "`.");
            }
        }
    }

    private int finish(Outcome outcome) {
        if (outcome.finalStatus() != null) show(outcome.finalStatus());
        else pollStatus();
        String first = Human.clock(clock.instant()) + "  " + outcome.word() + "  ";
        for (int i = 0; i < outcome.lines().size(); i++) {
            out.println((i == 0 ? first : " ".repeat(first.length()))
                    + outcome.lines().get(i));
        }
        out.flush();
        return outcome.exitCode();
    }

    private void pollStatus() {
        MigrationStatus s;
        try {
            s = Migrations.status(stub);
        } catch (RuntimeException e) {
            // A query before the first workflow task, or with the worker restarting, fails once and
            // then works; only a failure that persists is worth a line.
            String why = FailureText.grpcReason(e);
            queryErrorsInARow++;
            if (queryErrorsInARow >= 2 && !why.equals(lastQueryError)) {
                line("status unavailable: " + why + " (is a worker running? `./switchover worker`)");
                lastQueryError = why;
            }
            return;
        }
        queryErrorsInARow = 0;
        lastQueryError = null;
        show(s);
    }

    /** Independent of the status query: describe answers even when no worker does. */
    private void pollRetries() {
        List<PendingActivity> pending;
        try {
            pending = PendingActivities.describe(stub);
        } catch (RuntimeException e) {
            // As with the query: a single failure is noise, one that persists is said once.
            String why = FailureText.grpcReason(e);
            describeErrorsInARow++;
            if (describeErrorsInARow >= 2 && !Objects.equals(why, lastDescribeError)) {
                line("cannot see retries of running steps: " + why);
                lastDescribeError = why;
            }
            return;
        }
        describeErrorsInARow = 0;
        lastDescribeError = null;
        Instant now = clock.instant();
        for (PendingActivity a : retries.newAttempts(pending)) line(PendingActivities.line(a, now));
    }

    private void show(MigrationStatus s) {
        // Notes first: most are written while a step runs, before it ends.
        List<String> notes = s.notes() == null ? List.of() : s.notes();
        while (notesReported < notes.size()) {
            line("note: " + Human.localTimes(StatusTable.noteText(notes.get(notesReported++))));
        }
        List<StepRecord> steps = s.steps() == null ? List.of() : s.steps();
        while (stepsReported < steps.size() && steps.get(stepsReported).outcome() != StepRecord.Outcome.RUNNING) {
            line(ended(steps.get(stepsReported++)));
        }
        String waiting = s.waitingFor() == null ? "" : s.waitingFor();
        int copyStep = s.phase() == Phase.BASE_COPY && s.copy() != null
                ? (int) (s.copy().percent() / 5)
                : -1;
        // Figures stripped: "waiting for" carries lag and times, which change at every sample.
        String key =
                s.phase() + "|" + s.paused() + "|" + FIGURES.matcher(waiting).replaceAll("#") + "|" + copyStep;
        boolean changed = !key.equals(lastKey);
        boolean numbersDue = !waiting.equals(lastWaiting)
                && Duration.between(lastLineAt, clock.instant()).compareTo(NUMBERS_AT_MOST_EVERY) >= 0;
        // The end is said once, by the outcome line.
        if ((changed || numbersDue) && !s.phase().isTerminal()) {
            line(progress(s));
            lastKey = key;
            lastWaiting = waiting;
        }
    }

    /** "PREFLIGHT  ok in 1.2s: source 15.8, target 15.8; ...". */
    private static String ended(StepRecord step) {
        Duration took =
                step.started() == null || step.ended() == null ? null : Duration.between(step.started(), step.ended());
        String detail = Human.localTimes(step.detail());
        return step.phase() + "  " + step.outcome().name().toLowerCase()
                + (took == null ? "" : " in " + Human.duration(took)) + (detail.isBlank() ? "" : ": " + detail);
    }

    /** "CATCH_UP  lag 1.2 MiB / 0.4 s — waiting for ...". */
    static String progress(MigrationStatus s) {
        String waiting = Human.localTimes(s.waitingFor());
        String detail = waiting.isBlank() ? s.phase().description() : waiting;
        if (s.phase() == Phase.BASE_COPY && s.copy() != null) {
            detail = "copy " + Human.copy(s.copy())
                    + (waiting.isBlank() || waiting.startsWith("base copy") ? "" : " — " + waiting);
        } else if ((s.phase() == Phase.CATCH_UP || s.phase() == Phase.AWAIT_CUTOVER) && s.lag() != null) {
            String lag = Human.lag(s.lag());
            if (!detail.contains(lag)) detail = lag + " — " + detail;
        }
        return s.phase() + "  " + detail + (s.paused() ? "  [PAUSED]" : "");
    }

    private void line(String text) {
        Instant now = clock.instant();
        out.println(Human.clock(now) + "  " + text);
        out.flush();
        lastLineAt = now;
    }
}
