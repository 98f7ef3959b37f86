package dev.switchover.workflows.fleet;

import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.spec.SpecProblem;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Waves one after the other; inside a wave, migrations in the listed order with at most
 * {@code concurrency} running. A failed (or aborted) migration stops its wave from starting more
 * (unless {@code onFailure: continue-wave}) and keeps every later wave from starting: whatever
 * broke one database is likely to break the next. Running migrations are never cut short by
 * another's failure: each is safe on its own, and its source stays primary until it promotes.
 */
public class FleetWorkflowImpl implements FleetWorkflow {
    private FleetSpec spec;
    private final MemberRuns runs = new MemberRuns();
    private final FleetNotes notes = new FleetNotes();
    private AbortRequest abort;
    private FleetState state = FleetState.RUNNING;

    @Override
    public FleetResult migrateFleet(FleetSpec input) {
        List<SpecProblem> problems = FleetValidator.validate(input);
        if (!problems.isEmpty()) {
            throw Failures.fatal(
                    Failures.INVALID_SPEC,
                    "the fleet spec is not valid:\n"
                            + problems.stream().map(SpecProblem::toString).collect(Collectors.joining("\n")));
        }
        spec = input.withDefaults();
        runs.plan(spec);
        publish();

        String stoppedBy = null;
        for (WaveRun wave : runs.waves) {
            if (abort != null) stoppedBy = "the fleet was aborted by " + abort.by();
            if (stoppedBy != null) {
                wave.state = WaveState.SKIPPED;
                for (MemberRun m : runs.of(wave)) m.skip(stoppedBy);
                continue;
            }
            runWave(wave);
            List<MemberRun> unsuccessful =
                    runs.of(wave).stream().filter(MemberRun::unsuccessful).toList();
            if (!unsuccessful.isEmpty()) {
                stoppedBy = "wave " + wave.name + " did not complete (" + MemberRuns.names(unsuccessful) + ")";
            }
        }

        List<MemberRun> notDone = runs.notDone();
        state = notDone.isEmpty() ? FleetState.DONE : abort != null ? FleetState.ABORTED : FleetState.FAILED;
        publish();
        if (!notDone.isEmpty()) {
            throw Failures.fatal(
                    abort != null ? Failures.ABORTED : "FleetIncomplete", FleetReport.incomplete(spec, state, runs));
        }
        return new FleetResult(status());
    }

    private void runWave(WaveRun wave) {
        wave.state = WaveState.RUNNING;
        Deque<MemberRun> pending = new ArrayDeque<>(runs.of(wave));
        List<MemberRun> running = new ArrayList<>();
        String stopStarting = null;
        while (true) {
            if (abort != null) stopStarting = "the fleet was aborted by " + abort.by();
            while (stopStarting == null && running.size() < spec.concurrency() && !pending.isEmpty()) {
                running.add(start(pending.poll()));
            }
            if (stopStarting != null) {
                while (!pending.isEmpty()) pending.poll().skip(stopStarting);
            }
            if (running.isEmpty()) break;
            publish();
            Workflow.await(
                    () -> running.stream().anyMatch(m -> m.result.isCompleted()) || MemberSignals.owed(running, abort));
            MemberSignals.forward(running, spec, abort, notes);
            for (Iterator<MemberRun> it = running.iterator(); it.hasNext(); ) {
                MemberRun m = it.next();
                if (!m.result.isCompleted()) continue;
                it.remove();
                m.finished(FleetNotes.now());
                notes.add(m.outcome());
                if (m.state != MemberState.DONE
                        && stopStarting == null
                        && spec.onFailure() == FailurePolicy.STOP_WAVE) {
                    stopStarting = m.spec.name() + " " + m.stateName() + " in wave " + wave.name;
                    notes.add("wave " + wave.name + " stopped: " + stopStarting + "; no further migration starts");
                }
            }
        }
        boolean allDone = runs.of(wave).stream().allMatch(m -> m.state == MemberState.DONE);
        wave.state = allDone ? WaveState.DONE : WaveState.STOPPED;
        publish();
    }

    private MemberRun start(MemberRun m) {
        ChildWorkflowOptions options = ChildWorkflowOptions.newBuilder()
                .setWorkflowId(m.spec.workflowId())
                // Stopping the fleet by force must not leave a migration half way with nobody watching:
                // a cancelled migration rolls back before promotion and finishes after it.
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                // As `switchover start`: a failed or aborted migration may run again, a completed one not.
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .build();
        MigrationWorkflow child = Workflow.newChildWorkflowStub(MigrationWorkflow.class, options);
        m.started(Async.function(child::migrate, m.spec, null), FleetNotes.now());
        notes.add("started " + m.spec.name() + " (wave " + m.wave.name + ")");
        return m;
    }

    /** The Web UI's current details: where each wave and migration stands. */
    private void publish() {
        Workflow.setCurrentDetails(FleetReport.details(spec, state, runs));
    }

    // ---- operator handlers ----

    @Override
    public String approveWave(WaveApproval approval) {
        return WaveGate.approve(runs, notes, approval);
    }

    @Override
    public void validateApproveWave(WaveApproval approval) {
        reject(WaveGate.refusal(spec, runs, abort, approval));
    }

    @Override
    public void approveWaveSignal(WaveApproval approval) {
        String refusal = WaveGate.refusal(spec, runs, abort, approval);
        if (refusal != null) {
            notes.add("wave approval signal ignored: " + refusal);
            return;
        }
        approveWave(approval);
        publish();
    }

    @Override
    public String abort(AbortRequest request) {
        abort = request;
        notes.add("abort requested by " + request.by() + ": " + request.reason());
        long running = runs.count(MemberState.RUNNING);
        return "aborting fleet " + spec.name() + ": no further migration starts; " + running
                + " running migration(s) asked to abort (one past promotion finishes instead)";
    }

    @Override
    public void validateAbort(AbortRequest request) {
        reject(refuseAbort(request));
    }

    @Override
    public void abortSignal(AbortRequest request) {
        String refusal = refuseAbort(request);
        if (refusal != null) {
            notes.add("abort signal ignored: " + refusal);
            return;
        }
        abort(request);
    }

    private String refuseAbort(AbortRequest request) {
        if (request == null || request.reason() == null || request.reason().isBlank()) {
            return "an abort needs a reason: {\"by\": \"your name\", \"reason\": \"why\"}";
        }
        if (spec == null) return "the fleet has not started";
        if (abort != null) return "the fleet is already being aborted (by " + abort.by() + ")";
        if (state != FleetState.RUNNING) return "the fleet has ended (" + state + ")";
        return null;
    }

    @Override
    public void migrationProgress(MigrationProgress progress) {
        for (MemberRun m : runs.members) {
            if (m.report(progress) && spec != null) publish();
        }
    }

    @Override
    public FleetStatus status() {
        return FleetReport.status(spec, state, runs, notes);
    }

    private static void reject(String refusal) {
        if (refusal != null) throw ApplicationFailure.newNonRetryableFailure(refusal, "Rejected");
    }
}
