package dev.switchover.workflows.fleet;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the fleet tells people: the Web UI's details, the status query's answer, and why it failed. */
final class FleetReport {
    private FleetReport() {}

    /** The Web UI's current details: where each wave and migration stands. */
    static String details(FleetSpec spec, FleetState state, MemberRuns runs) {
        StringBuilder md = new StringBuilder();
        long done = runs.count(MemberState.DONE);
        md.append("**Fleet:** ")
                .append(spec.name())
                .append(" — ")
                .append(state)
                .append(", ")
                .append(done)
                .append(" of ")
                .append(runs.members.size())
                .append(" migrated; concurrency ")
                .append(spec.concurrency())
                .append(", approval per ")
                .append(spec.approval().id())
                .append(", on failure ")
                .append(spec.onFailure().id());
        for (WaveRun w : runs.waves) {
            boolean atGate = !runs.atGate(w).isEmpty();
            if (atGate && spec.approval() == FleetApproval.WAVE && w.approval == null) {
                md.append("\n\n**Waiting for:** wave ")
                        .append(w.name)
                        .append("'s approval: `switchover fleet approve ")
                        .append(spec.workflowId())
                        .append(" --wave ")
                        .append(w.name)
                        .append("`, or signal approveWave with {\"wave\": \"")
                        .append(w.name)
                        .append("\", \"approver\": \"your name\"}");
            }
            md.append("\n\n**Wave ").append(w.name).append(":** ").append(w.state);
            if (w.approval != null)
                md.append(" (approved by ").append(w.approval.approver()).append(")");
            for (MemberRun m : runs.of(w)) {
                md.append("\n- ")
                        .append(m.spec.name())
                        .append(" (")
                        .append(m.spec.workflowId())
                        .append("): ")
                        .append(m.state);
                if (m.state == MemberState.RUNNING && m.phase != null)
                    md.append(", ").append(m.phase);
                if (!m.detail.isEmpty()) md.append(" — ").append(m.detail);
            }
        }
        return md.toString();
    }

    /** The status query's answer; {@code spec} is null until the workflow has read it. */
    static FleetStatus status(FleetSpec spec, FleetState state, MemberRuns runs, FleetNotes notes) {
        if (spec == null)
            return new FleetStatus(null, FleetState.STARTING, 0, null, null, List.of(), List.of(), List.of());
        return new FleetStatus(
                spec.name(),
                state,
                spec.concurrency(),
                spec.approval(),
                spec.onFailure(),
                runs.waves.stream()
                        .map(w -> new FleetStatus.Wave(
                                w.name, w.state, w.approval == null ? null : w.approval.approver()))
                        .toList(),
                runs.members.stream()
                        .map(m -> new FleetStatus.Member(
                                m.spec.name(),
                                m.spec.workflowId(),
                                m.wave.name,
                                m.state,
                                m.phase,
                                m.detail,
                                m.startedAt,
                                m.endedAt))
                        .toList(),
                notes.lines());
    }

    /** The ended fleet's failure: each migration that did not complete and why, and those that moved. */
    static String incomplete(FleetSpec spec, FleetState state, MemberRuns runs) {
        String summary = runs.notDone().stream().map(MemberRun::outcome).collect(Collectors.joining("; "));
        List<String> moved = runs.moved();
        return "fleet " + spec.name() + " " + state.name().toLowerCase(Locale.ROOT) + ": " + summary
                + (moved.isEmpty() ? "" : ". Moved: " + String.join(", ", moved))
                + ". Each migration's own status and report say more (`switchover status NAME`).";
    }
}
