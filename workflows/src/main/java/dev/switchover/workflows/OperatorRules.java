package dev.switchover.workflows;

import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Instant;

/**
 * When an operator's request is accepted. Each method returns the reason for refusing, or null.
 * Update validators and signal handlers share these, so the UI and the CLI get the same answers.
 */
final class OperatorRules {
    private OperatorRules() {}

    static String refuseApproval(MigrationState s, MigrationSpec spec, Approval a, Instant now) {
        if (a == null || a.approver() == null || a.approver().isBlank()) {
            return "an approval needs an approver: {\"approver\": \"your name\", \"comment\": \"why\"}";
        }
        if (s.abort != null) return "the migration is being aborted";
        if (s.phase.isTerminal() || s.phase == Phase.ROLLING_BACK) return "the migration has ended (" + s.phase + ")";
        if (s.phase.isCutoverUnderway()) return "cutover is already under way (" + s.phase + ")";
        if (s.phase != Phase.AWAIT_CUTOVER) {
            return "the target is not ready for cutover yet: phase is " + s.phase + " (" + s.phase.description()
                    + "); approve when status shows AWAIT_CUTOVER";
        }
        if (s.paused) return "the migration is paused by " + s.pausedBy + "; resume it first";
        CutoverWindow window = CutoverWindow.of(spec.cutover().window());
        if (window != null && window.refusesOutside() && !window.isOpen(now)) {
            return "it is outside the cutover window (" + window + "), and the spec refuses approvals outside it;"
                    + " approve when it opens, at " + window.describeOpening(window.opensAfter(now));
        }
        if (!s.inSync(spec.catchUp())) {
            return "the target is not in sync: " + Lag.describe(s.lag)
                    + " (thresholds " + Lag.bytes(spec.catchUp().maxLagBytes()) + " / "
                    + spec.catchUp().maxLagSeconds()
                    + " s); approve again when it has caught up";
        }
        return null;
    }

    static String refuseAbort(MigrationState s) {
        if (s.abort != null) return "an abort is already under way (by " + s.abort.by() + ")";
        if (s.phase.isTerminal() || s.phase == Phase.ROLLING_BACK) return "the migration has ended (" + s.phase + ")";
        if (s.targetPromoted) {
            return "the target has been promoted (phase " + s.phase
                    + "); it is the primary now and abort cannot go back." + " Let the migration finish.";
        }
        // Until the target answers that it takes writes, an abort in PROMOTE asks it (histories recorded before: only
        // while held).
        boolean targetNotYetPromoted = s.phase == Phase.PROMOTE && (s.abortablePromotion || s.promotionHeld);
        if (s.phase.isPastPointOfNoReturn() && !targetNotYetPromoted) {
            return "the target has been promoted (phase " + s.phase
                    + "); it is the primary now and abort cannot go back. Let the migration finish.";
        }
        return null;
    }

    static String refusePromoteWithoutSource(MigrationState s, OperatorDecision d) {
        if (d == null || d.reason() == null || d.reason().isBlank() || d.by() == null || d.by().isBlank()) {
            return "promoting without the source's proof needs who and why: {\"by\": \"your name\", \"reason\": \"why\"}";
        }
        if (!s.promotionHeld) {
            return "promotion is not held for an unreachable source (phase " + s.phase
                    + "); only then may it go ahead without" + " the source's proof";
        }
        if (s.promoteWithoutSource != null) return "already decided by " + s.promoteWithoutSource.by();
        if (s.abort != null) return "an abort is under way (by " + s.abort.by() + ")";
        return null;
    }

    static String refusePause(MigrationState s) {
        if (s.paused) return "already paused by " + s.pausedBy;
        if (s.phase != Phase.CATCH_UP && s.phase != Phase.AWAIT_CUTOVER) {
            return "only the catch-up wait and the cutover gate can be paused; phase is " + s.phase;
        }
        return null;
    }

    static String refuseResume(MigrationState s) {
        return s.paused ? null : "the migration is not paused";
    }
}
