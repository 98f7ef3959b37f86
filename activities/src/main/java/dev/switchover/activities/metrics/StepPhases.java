package dev.switchover.activities.metrics;

import dev.switchover.workflows.Phase;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The runbook phase an activity belongs to, so the worker can say which phase a migration is in
 * without asking the workflow. measureLag also runs while the cutover gate is open; it is counted
 * as CATCH_UP, the phase whose progress it measures.
 */
public final class StepPhases {
    private static final Map<String, Phase> BY_ACTIVITY = Map.ofEntries(
            Map.entry("preflight", Phase.PREFLIGHT),
            Map.entry("benchmarktarget", Phase.BENCHMARK),
            Map.entry("preparesource", Phase.PREPARE_SOURCE),
            Map.entry("undopreparesource", Phase.ROLLING_BACK),
            Map.entry("quiettarget", Phase.ROLLING_BACK),
            Map.entry("basecopy", Phase.BASE_COPY),
            Map.entry("measurelag", Phase.CATCH_UP),
            Map.entry("pausetraffic", Phase.FREEZE_WRITES),
            // Started right after the pause, beside the freeze and the sync check.
            Map.entry("repointtraffic", Phase.FREEZE_WRITES),
            Map.entry("resumetrafficonsource", Phase.ROLLING_BACK),
            Map.entry("stopapplication", Phase.FREEZE_WRITES),
            Map.entry("freezewrites", Phase.FREEZE_WRITES),
            Map.entry("unfreezewrites", Phase.ROLLING_BACK),
            Map.entry("resumeapplication", Phase.ROLLING_BACK),
            Map.entry("verifysync", Phase.VERIFY_SYNC),
            Map.entry("promote", Phase.PROMOTE),
            Map.entry("promotewithoutsource", Phase.PROMOTE),
            // Asked after an abort during promotion, before the rollback or the promotion's end.
            Map.entry("targetpromoted", Phase.PROMOTE),
            Map.entry("switchtraffic", Phase.SWITCH_TRAFFIC),
            Map.entry("resumetraffic", Phase.SWITCH_TRAFFIC),
            Map.entry("backupnewprimary", Phase.POST_PROMOTION),
            Map.entry("retireoldsource", Phase.POST_PROMOTION),
            Map.entry("runchecklist", Phase.POST_PROMOTION));

    /** Steps that run at the end of any outcome (done, aborted, failed): they leave the phase as it was. */
    public static final Set<String> NO_PHASE = Set.of("writereport");

    private StepPhases() {}

    /** Temporal names activity types after the method, first letter upper-cased: both spellings work. */
    public static Optional<Phase> of(String activityType) {
        return Optional.ofNullable(BY_ACTIVITY.get(activityType.toLowerCase(Locale.ROOT)));
    }
}
