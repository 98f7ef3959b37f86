package dev.switchover.workflows.fleet;

import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.Approval;
import dev.switchover.workflows.Phase;
import java.util.List;
import java.util.Locale;

/**
 * A wave's approval (approval: wave): whether the fleet takes it, what taking it answers, and the
 * approval each of the wave's migrations is then owed when it reaches its cutover gate.
 */
final class WaveGate {
    private WaveGate() {}

    /** Why the approval is refused, or null; {@code spec} is null until the workflow has read it. */
    static String refusal(FleetSpec spec, MemberRuns runs, AbortRequest abort, WaveApproval approval) {
        if (spec == null) return "the fleet has not started";
        if (spec.approval() != FleetApproval.WAVE) {
            return "fleet " + spec.name() + " is approved per database: approve each migration with"
                    + " `switchover approve NAME` when its status shows AWAIT_CUTOVER";
        }
        if (approval == null
                || approval.approver() == null
                || approval.approver().isBlank()) {
            return "a wave approval needs an approver: {\"wave\": \"NAME\", \"approver\": \"your name\"}";
        }
        WaveRun w = approval.wave() == null ? null : runs.wave(approval.wave());
        if (w == null) {
            return "fleet " + spec.name() + " has no wave '" + approval.wave() + "'; its waves are " + runs.waveNames();
        }
        if (abort != null) return "the fleet is being aborted";
        if (w.state != WaveState.RUNNING && w.state != WaveState.PENDING) {
            return "wave " + w.name + " is " + w.state.name().toLowerCase(Locale.ROOT)
                    + "; there is nothing left in it to approve";
        }
        if (w.approval != null) return "wave " + w.name + " was already approved by " + w.approval.approver();
        return null;
    }

    /** Takes an approval that was not refused; answers which of the wave's migrations it opens now. */
    static String approve(MemberRuns runs, FleetNotes notes, WaveApproval approval) {
        WaveRun w = runs.wave(approval.wave());
        w.approval = approval;
        notes.add("wave " + w.name + " approved by " + approval.approver()
                + (approval.comment() == null ? "" : ": " + approval.comment()));
        List<String> atGate = runs.atGate(w);
        return "wave " + w.name + " approved by " + approval.approver()
                + "; each of its migrations cuts over as it reaches" + " the gate"
                + (atGate.isEmpty() ? "" : " (at the gate now: " + String.join(", ", atGate) + ")");
    }

    /** Its wave is approved and it waits at its gate, not yet sent the approval. */
    static boolean owedTo(MemberRun m) {
        return m.wave.approval != null && !m.approvalSent && m.phase == Phase.AWAIT_CUTOVER;
    }

    /** The approval the migration is sent: the wave's approver, with the wave and fleet as its comment. */
    static Approval approvalFor(FleetSpec spec, MemberRun m) {
        WaveApproval a = m.wave.approval;
        return new Approval(
                a.approver(),
                "wave " + m.wave.name + " of fleet " + spec.name()
                        + (a.comment() == null || a.comment().isBlank() ? "" : ": " + a.comment()));
    }
}
