package dev.switchover.workflows;

import static dev.switchover.workflows.WorkflowClock.now;

import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.status.StepRecord.Outcome;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;

/**
 * What follows the promotion on the new primary and the old source: a backup, the old source's
 * clean-up and the final checklist. The target is the primary by then, so nothing here may fail
 * the migration; what did not work is noted for the operator.
 */
record PostPromotion(
        MigrationState state,
        MigrationSpec spec,
        MigrationActivities activities,
        StatusPublisher publisher,
        StepResults results) {

    /** The runbook's safety net and checklist. Their failures are reported, not fatal. */
    void run() {
        state.begin(Phase.POST_PROMOTION, now());
        publisher.publish();
        StringBuilder detail = new StringBuilder();
        if (Boolean.TRUE.equals(spec.backup().enabled())) {
            try {
                results.backup = activities.backupNewPrimary(spec);
                detail.append("backup ")
                        .append(results.backup.location())
                        .append(" (")
                        .append(Lag.bytes(results.backup.bytes()))
                        .append(")");
            } catch (ActivityFailure f) {
                String why = "NO BACKUP of the new primary: " + Failures.rootMessage(f) + " — take one by hand now";
                state.note(now(), why);
                detail.append(why);
            }
        } else {
            detail.append("backup disabled in the spec");
        }
        retireOldSource(detail);
        try {
            results.checklist = activities.runChecklist(spec);
            long attention = results.checklist.checks().stream()
                    .filter(c -> c.verdict() != Check.Verdict.OK)
                    .count();
            detail.append("; checklist: ")
                    .append(results.checklist.checks().size())
                    .append(" checks, ")
                    .append(attention)
                    .append(" need attention");
        } catch (ActivityFailure f) {
            state.note(now(), "final checklist failed: " + Failures.rootMessage(f));
            detail.append("; checklist failed");
        }
        state.end(Outcome.OK, detail.toString(), now());
    }

    /**
     * What the copy needed on the old source comes off it once the target is primary; the fence
     * stays. Bounded (a dead old source costs a minute at most) and never fatal: what is left there
     * is noted for the operator.
     */
    private void retireOldSource(StringBuilder detail) {
        if (Workflow.getVersion("retire-old-source", Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) return;
        try {
            detail.append("; old source: ").append(activities.retireOldSource(spec, results.preparation));
        } catch (ActivityFailure f) {
            String why =
                    "the old source " + spec.source().address() + " could not be cleaned up (" + Failures.rootMessage(f)
                            + "): its replication account, access rule and slot (PostgreSQL) may still be there; it stays fenced";
            state.note(now(), why);
            detail.append("; ").append(why);
        }
    }
}
