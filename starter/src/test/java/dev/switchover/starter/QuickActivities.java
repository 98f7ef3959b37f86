package dev.switchover.starter;

import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.BenchmarkResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.ChecklistResult;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.MigrationActivities;
import dev.switchover.workflows.activities.MigrationReport;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.ReportLocation;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;

/** Canned, instant answers: a healthy pair of hosts, a fast disk, a target always in sync. */
class QuickActivities implements MigrationActivities {
    /** Migrations whose next preflight fails, once, as a preflight that found something to fix would. */
    static final java.util.Set<String> FAIL_PREFLIGHT_ONCE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public PreflightReport preflight(MigrationSpec spec) {
        if (FAIL_PREFLIGHT_ONCE.remove(spec.name())) {
            throw dev.switchover.workflows.Failures.fatal(
                    dev.switchover.workflows.Failures.PREFLIGHT_FAILED,
                    "the target's data directory holds a database already; empty it or pick another target");
        }
        return new PreflightReport(
                "15.8",
                "15.8",
                "/var/lib/postgresql/15/main",
                "/var/lib/postgresql/15/main",
                100L << 20,
                10L << 30,
                List.of(),
                List.of(Check.ok("versions", "15 = 15")));
    }

    @Override
    public BenchmarkResult benchmarkTarget(MigrationSpec spec) {
        return new BenchmarkResult(50_000, 200_000, 900, "/var/lib/postgresql", "fio-3.33");
    }

    @Override
    public SourcePreparation prepareSource(MigrationSpec spec) {
        return new SourcePreparation(true, true, true, List.of(), List.of());
    }

    @Override
    public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {}

    @Override
    public BaseCopyResult baseCopy(MigrationSpec spec) {
        return new BaseCopyResult(100L << 20, 3, false, "pg_basebackup");
    }

    @Override
    public LagSample measureLag(MigrationSpec spec) {
        return new LagSample(true, 0, 0.0, "0/3000060", "0/3000060", "streaming/async");
    }

    @Override
    public void stopApplication(MigrationSpec spec) {}

    @Override
    public void resumeApplication(MigrationSpec spec) {}

    @Override
    public FrozenSource freezeWrites(MigrationSpec spec) {
        return new FrozenSource("0/3000060", 2);
    }

    @Override
    public void unfreezeWrites(MigrationSpec spec) {}

    @Override
    public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen) {
        return new SyncProof(frozen.finalPosition(), frozen.finalPosition());
    }

    @Override
    public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        return new PromotionResult(false, "0/3000100", "pg_promote()");
    }

    @Override
    public TrafficSwitchResult switchTraffic(MigrationSpec spec) {
        return new TrafficSwitchResult("none", "");
    }

    @Override
    public TrafficSwitchResult pauseTraffic(MigrationSpec spec) {
        return new TrafficSwitchResult("none", "");
    }

    @Override
    public TrafficSwitchResult repointTraffic(MigrationSpec spec) {
        return new TrafficSwitchResult("none", "");
    }

    @Override
    public TrafficSwitchResult resumeTraffic(MigrationSpec spec) {
        return new TrafficSwitchResult("none", "");
    }

    @Override
    public TrafficSwitchResult resumeTrafficOnSource(MigrationSpec spec) {
        return new TrafficSwitchResult("none", "");
    }

    @Override
    public BackupResult backupNewPrimary(MigrationSpec spec) {
        return new BackupResult(true, "/var/backups/switchover/x", 100L << 20, "pg_basebackup -Ft");
    }

    @Override
    public boolean targetPromoted(MigrationSpec spec) {
        return false;
    }

    @Override
    public String quietTarget(MigrationSpec spec) {
        return "the target's standby was stopped";
    }

    @Override
    public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        return new PromotionResult(false, "0/3000100", "pg_promote() without the source's proof");
    }

    @Override
    public String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        return "nothing to clean up";
    }

    @Override
    public ChecklistResult runChecklist(MigrationSpec spec) {
        return new ChecklistResult(List.of(Check.ok("time sync", "chrony synchronised")));
    }

    @Override
    public ReportLocation writeReport(MigrationSpec spec, MigrationReport report) {
        return new ReportLocation("reports/x.json", "reports/x.md");
    }
}
