package dev.switchover.workflows.fleet;

import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.Approval;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.Phase;
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
import java.util.Locale;
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
      throw Failures.fatal(Failures.INVALID_SPEC, "the fleet spec is not valid:\n"
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
      List<MemberRun> unsuccessful = runs.of(wave).stream().filter(MemberRun::unsuccessful).toList();
      if (!unsuccessful.isEmpty()) {
        stoppedBy = "wave " + wave.name + " did not complete (" + MemberRuns.names(unsuccessful) + ")";
      }
    }

    List<MemberRun> notDone = runs.notDone();
    state = notDone.isEmpty() ? FleetState.DONE : abort != null ? FleetState.ABORTED : FleetState.FAILED;
    publish();
    if (!notDone.isEmpty()) {
      String summary = notDone.stream().map(MemberRun::outcome).collect(Collectors.joining("; "));
      List<String> moved = runs.moved();
      throw Failures.fatal(abort != null ? Failures.ABORTED : "FleetIncomplete", "fleet " + spec.name() + " "
          + state.name().toLowerCase(Locale.ROOT) + ": " + summary + (moved.isEmpty() ? "" : ". Moved: " + String.join(", ", moved))
          + ". Each migration's own status and report say more (`switchover status NAME`).");
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
      Workflow.await(() -> running.stream().anyMatch(m -> m.result.isCompleted()) || somethingToForward(running));
      forward(running);
      for (Iterator<MemberRun> it = running.iterator(); it.hasNext(); ) {
        MemberRun m = it.next();
        if (!m.result.isCompleted()) continue;
        it.remove();
        m.finished(FleetNotes.now());
        notes.add(m.outcome());
        if (m.state != MemberState.DONE && stopStarting == null && spec.onFailure() == FailurePolicy.STOP_WAVE) {
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

  private boolean somethingToForward(List<MemberRun> running) {
    return running.stream().anyMatch(m -> (abort != null && !m.abortSent) || awaitsWaveApproval(m));
  }

  private static boolean awaitsWaveApproval(MemberRun m) {
    return m.wave.approval != null && !m.approvalSent && m.phase == Phase.AWAIT_CUTOVER;
  }

  /** The wave's approval to each migration at its gate, and the fleet's abort to each running one. */
  private void forward(List<MemberRun> running) {
    for (MemberRun m : running) {
      if (abort != null && !m.abortSent) {
        m.abortSent = true;
        signal(m, MigrationWorkflow.Names.ABORT, new AbortRequest(abort.by(), "fleet " + spec.name()
            + " aborted: " + abort.reason()));
      } else if (awaitsWaveApproval(m)) {
        m.approvalSent = true;
        WaveApproval a = m.wave.approval;
        signal(m, MigrationWorkflow.Names.APPROVE, new Approval(a.approver(), "wave " + m.wave.name + " of fleet "
            + spec.name() + (a.comment() == null || a.comment().isBlank() ? "" : ": " + a.comment())));
        notes.add("wave " + m.wave.name + "'s approval sent to " + m.spec.name());
      }
    }
  }

  /** A signal, not an update: the migration records one it refuses (e.g. past promotion) in its notes. */
  private void signal(MemberRun m, String name, Object argument) {
    Async.procedure(Workflow.newUntypedExternalWorkflowStub(m.spec.workflowId())::signal, name, new Object[] {argument})
        // A migration that ended meanwhile cannot take it, and needs it no more.
        .exceptionally(e -> null);
  }

  /** The Web UI's current details: where each wave and migration stands. */
  private void publish() {
    StringBuilder md = new StringBuilder();
    long done = runs.count(MemberState.DONE);
    md.append("**Fleet:** ").append(spec.name()).append(" — ").append(state).append(", ").append(done).append(" of ")
        .append(runs.members.size()).append(" migrated; concurrency ").append(spec.concurrency()).append(", approval per ")
        .append(spec.approval().id()).append(", on failure ").append(spec.onFailure().id());
    for (WaveRun w : runs.waves) {
      boolean atGate = !runs.atGate(w).isEmpty();
      if (atGate && spec.approval() == FleetApproval.WAVE && w.approval == null) {
        md.append("\n\n**Waiting for:** wave ").append(w.name).append("'s approval: `switchover fleet approve ")
            .append(spec.workflowId()).append(" --wave ").append(w.name).append("`, or signal approveWave with {\"wave\": \"")
            .append(w.name).append("\", \"approver\": \"your name\"}");
      }
      md.append("\n\n**Wave ").append(w.name).append(":** ").append(w.state);
      if (w.approval != null) md.append(" (approved by ").append(w.approval.approver()).append(")");
      for (MemberRun m : runs.of(w)) {
        md.append("\n- ").append(m.spec.name()).append(" (").append(m.spec.workflowId()).append("): ").append(m.state);
        if (m.state == MemberState.RUNNING && m.phase != null) md.append(", ").append(m.phase);
        if (!m.detail.isEmpty()) md.append(" — ").append(m.detail);
      }
    }
    Workflow.setCurrentDetails(md.toString());
  }

  // ---- operator handlers ----

  @Override
  public String approveWave(WaveApproval approval) {
    WaveRun w = runs.wave(approval.wave());
    w.approval = approval;
    notes.add("wave " + w.name + " approved by " + approval.approver()
        + (approval.comment() == null ? "" : ": " + approval.comment()));
    List<String> atGate = runs.atGate(w);
    return "wave " + w.name + " approved by " + approval.approver() + "; each of its migrations cuts over as it reaches"
        + " the gate" + (atGate.isEmpty() ? "" : " (at the gate now: " + String.join(", ", atGate) + ")");
  }

  @Override
  public void validateApproveWave(WaveApproval approval) {
    reject(refuseWaveApproval(approval));
  }

  @Override
  public void approveWaveSignal(WaveApproval approval) {
    String refusal = refuseWaveApproval(approval);
    if (refusal != null) {
      notes.add("wave approval signal ignored: " + refusal);
      return;
    }
    approveWave(approval);
    publish();
  }

  private String refuseWaveApproval(WaveApproval approval) {
    if (spec == null) return "the fleet has not started";
    if (spec.approval() != FleetApproval.WAVE) {
      return "fleet " + spec.name() + " is approved per database: approve each migration with"
          + " `switchover approve NAME` when its status shows AWAIT_CUTOVER";
    }
    if (approval == null || approval.approver() == null || approval.approver().isBlank()) {
      return "a wave approval needs an approver: {\"wave\": \"NAME\", \"approver\": \"your name\"}";
    }
    WaveRun w = approval.wave() == null ? null : runs.wave(approval.wave());
    if (w == null) {
      return "fleet " + spec.name() + " has no wave '" + approval.wave() + "'; its waves are "
          + runs.waveNames();
    }
    if (abort != null) return "the fleet is being aborted";
    if (w.state != WaveState.RUNNING && w.state != WaveState.PENDING) {
      return "wave " + w.name + " is " + w.state.name().toLowerCase(Locale.ROOT) + "; there is nothing left in it to approve";
    }
    if (w.approval != null) return "wave " + w.name + " was already approved by " + w.approval.approver();
    return null;
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
    if (spec == null) return new FleetStatus(null, FleetState.STARTING, 0, null, null, List.of(), List.of(), List.of());
    return new FleetStatus(spec.name(), state, spec.concurrency(), spec.approval(), spec.onFailure(),
        runs.waves.stream().map(w -> new FleetStatus.Wave(w.name, w.state,
            w.approval == null ? null : w.approval.approver())).toList(),
        runs.members.stream().map(m -> new FleetStatus.Member(m.spec.name(), m.spec.workflowId(), m.wave.name, m.state,
            m.phase, m.detail, m.startedAt, m.endedAt)).toList(),
        notes.lines());
  }

  private static void reject(String refusal) {
    if (refusal != null) throw ApplicationFailure.newNonRetryableFailure(refusal, "Rejected");
  }
}
