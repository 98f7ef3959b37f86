package dev.switchover.workflows;

import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.BenchmarkResult;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.MigrationSpec;

/** The words a runbook step's record ends with, made from what it returned; status, the UI and the report show them. */
final class StepSummaries {
    private StepSummaries() {}

    /** The benchmark, judged: below the spec's floor the migration stops before it changes anything. */
    static String benchmark(MigrationSpec spec, BenchmarkResult r) {
        int floor = spec.benchmark().minIops();
        if (r.writeIops() < floor) {
            throw Failures.fatal(
                    Failures.IOPS_BELOW_FLOOR,
                    String.format(
                            java.util.Locale.ROOT,
                            "the target's disk did %.0f write IOPS (4k random, direct I/O) in %s, below the floor of %d. "
                                    + "A restore and catch-up on this disk would take hours. Move the target to faster storage, "
                                    + "or lower benchmark.minIops if you accept that.",
                            r.writeIops(),
                            r.directory(),
                            floor));
        }
        return String.format(java.util.Locale.ROOT, "%.0f write IOPS ≥ %d", r.writeIops(), floor);
    }

    /** {@code spec}: the migration's as it asked, before preflight resolved an auto method. */
    static String preflight(MigrationSpec spec, PreflightReport r) {
        long restarts =
                r.settingsToChange().stream().filter(s -> s.needsRestart()).count();
        return "source " + r.sourceVersion() + ", target " + r.targetVersion() + "; "
                + r.checks().size() + " checks; " + r.settingsToChange().size() + " settings to change ("
                + restarts + " need a restart)" + ResolvedMethod.summary(spec, r);
    }

    static String preparation(MigrationSpec spec, SourcePreparation p) {
        if (p.summary() != null) return p.summary();
        return spec.engine()
                .preparationSummary(
                        p.createdRole(),
                        p.addedHbaLine(),
                        p.createdSlot(),
                        p.changedSettings().size());
    }

    static String baseCopy(BaseCopyResult r) {
        return String.format(
                "%s %s in %ds%s",
                r.method(), Lag.bytes(r.bytes()), r.seconds(), r.alreadyDone() ? " (found complete)" : "");
    }

    /** {@code held}: what the traffic route says of the clients while the source is frozen, or nothing. */
    static String freeze(String held, FrozenSource f) {
        return held + "source read-only at " + f.finalPosition() + ", " + f.sessionsEnded() + " write sessions ended";
    }

    static String sync(SyncProof p) {
        return "target at " + p.targetPosition() + " ≥ source's final " + p.sourceFinalPosition();
    }

    static String promotion(PromotionResult p) {
        return (p.alreadyPromoted() ? "was already primary" : "promoted") + " at " + p.newPrimaryPosition()
                + (p.detail() == null || p.detail().isBlank() || p.detail().equals("was already primary")
                        ? ""
                        : " (" + p.detail() + ")");
    }
}
