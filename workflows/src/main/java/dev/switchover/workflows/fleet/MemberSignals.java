package dev.switchover.workflows.fleet;

import dev.switchover.workflows.AbortRequest;
import dev.switchover.workflows.MigrationWorkflow;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.util.List;

/** The fleet's abort to each running migration, and the wave's approval to each at its gate: once each. */
final class MemberSignals {
    private MemberSignals() {}

    /** Whether {@link #forward} has something to send; {@code abort} is null unless the fleet is aborted. */
    static boolean owed(List<MemberRun> running, AbortRequest abort) {
        return running.stream().anyMatch(m -> (abort != null && !m.abortSent) || WaveGate.owedTo(m));
    }

    static void forward(List<MemberRun> running, FleetSpec spec, AbortRequest abort, FleetNotes notes) {
        for (MemberRun m : running) {
            if (abort != null && !m.abortSent) {
                m.abortSent = true;
                signal(
                        m,
                        MigrationWorkflow.Names.ABORT,
                        new AbortRequest(abort.by(), "fleet " + spec.name() + " aborted: " + abort.reason()));
            } else if (WaveGate.owedTo(m)) {
                m.approvalSent = true;
                signal(m, MigrationWorkflow.Names.APPROVE, WaveGate.approvalFor(spec, m));
                notes.add("wave " + m.wave.name + "'s approval sent to " + m.spec.name());
            }
        }
    }

    /** A signal, not an update: the migration records one it refuses (e.g. past promotion) in its notes. */
    private static void signal(MemberRun m, String name, Object argument) {
        Async.procedure(Workflow.newUntypedExternalWorkflowStub(m.spec.workflowId())::signal, name, new Object[] {
                    argument
                })
                // A migration that ended meanwhile cannot take it, and needs it no more.
                .exceptionally(e -> null);
    }
}
