package dev.switchover.activities;

import dev.switchover.activities.bench.FioBenchmark;
import dev.switchover.activities.checklist.FinalChecklist;
import dev.switchover.activities.engine.DatabaseEngine;
import dev.switchover.activities.engine.EngineRegistry;
import dev.switchover.activities.hooks.HookRunner;
import dev.switchover.activities.metrics.MigrationMetrics;
import dev.switchover.activities.report.ReportWriter;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.activities.traffic.TrafficSwitcher;
import dev.switchover.activities.traffic.TrafficSwitchers;
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
import io.temporal.activity.Activity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The runbook's steps against real hosts. Engine-specific work goes to the spec's engine;
 * benchmark, hooks, traffic switch, checklist and report are shared.
 */
public final class MigrationActivitiesImpl implements MigrationActivities {
    private final EngineRegistry engines;
    private final Hosts hosts;
    private final HookRunner hooks;
    private final TrafficSwitchers switches;
    private final ReportWriter reports = new ReportWriter();
    private final MigrationMetrics metrics;

    public MigrationActivitiesImpl(Hosts hosts) {
        this(hosts, MigrationMetrics.NONE);
    }

    public MigrationActivitiesImpl(Hosts hosts, MigrationMetrics metrics) {
        this.hosts = hosts;
        this.metrics = metrics;
        this.hooks = new HookRunner(hosts);
        this.switches = new TrafficSwitchers(hosts, hooks);
        this.engines = new EngineRegistry(hosts);
    }

    /** Secrets from the worker's own environment and files. */
    public static MigrationActivitiesImpl fromEnvironment() {
        return fromEnvironment(MigrationMetrics.NONE);
    }

    /** Secrets from the worker's own environment and files; lag and copy progress into {@code metrics}. */
    public static MigrationActivitiesImpl fromEnvironment(MigrationMetrics metrics) {
        return new MigrationActivitiesImpl(new Hosts(new SecretResolver()), metrics);
    }

    private DatabaseEngine engine(MigrationSpec spec) {
        return engines.get(spec);
    }

    private TrafficSwitcher traffic(MigrationSpec spec) {
        return switches.get(spec);
    }

    private static Runnable heartbeat() {
        var context = Activity.getExecutionContext();
        return () -> context.heartbeat(null);
    }

    @Override
    public PreflightReport preflight(MigrationSpec spec) {
        try {
            return checkedPreflight(spec);
        } catch (RuntimeException e) {
            throw Unreachable.inPreflight(
                    e, spec, Activity.getExecutionContext().getInfo(), Instant.now());
        }
    }

    private PreflightReport checkedPreflight(MigrationSpec spec) {
        PreflightReport report = engine(spec).preflight(spec);
        List<Check> trafficChecks = traffic(spec).preflight(spec, heartbeat());
        if (trafficChecks.isEmpty()) return report;
        return report.withChecks(trafficChecks);
    }

    @Override
    public BenchmarkResult benchmarkTarget(MigrationSpec spec) {
        String dir = spec.benchmark().directory() != null
                ? spec.benchmark().directory()
                : parent(engine(spec).targetDataDirectory(spec));
        return FioBenchmark.run(hosts.ssh(spec.target()), spec.benchmark(), dir, heartbeat());
    }

    private static String parent(String dir) {
        String d = dir.replaceAll("/+$", "");
        int slash = d.lastIndexOf('/');
        return slash <= 0 ? "/" : d.substring(0, slash);
    }

    @Override
    public SourcePreparation prepareSource(MigrationSpec spec) {
        return engine(spec).prepareSource(spec);
    }

    @Override
    public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
        engine(spec).undoPrepareSource(spec, preparation);
    }

    @Override
    public BaseCopyResult baseCopy(MigrationSpec spec) {
        return engine(spec).baseCopy(spec, new ActivityProgress(p -> metrics.baseCopy(spec.name(), p)));
    }

    @Override
    public LagSample measureLag(MigrationSpec spec) {
        LagSample sample = engine(spec).measureLag(spec);
        metrics.lag(spec.name(), sample);
        return sample;
    }

    @Override
    public void stopApplication(MigrationSpec spec) {
        hooks.run("stop-application", spec.cutover().stopApplication(), spec, heartbeat());
    }

    @Override
    public void resumeApplication(MigrationSpec spec) {
        if (spec.cutover().resumeApplication() != null) {
            hooks.run("resume-application", spec.cutover().resumeApplication(), spec, heartbeat());
        }
    }

    @Override
    public FrozenSource freezeWrites(MigrationSpec spec) {
        return Heartbeats.around(() -> engine(spec).freezeWrites(spec));
    }

    @Override
    public void unfreezeWrites(MigrationSpec spec) {
        Heartbeats.around(() -> engine(spec).unfreezeWrites(spec));
    }

    @Override
    public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen) {
        // Heartbeats between its polls too: the logical method compares the schemas and sets the
        // sequences first, which on a loaded machine outlasted the heartbeat timeout.
        return Heartbeats.around(() -> engine(spec).verifySync(spec, frozen, new ActivityProgress()));
    }

    @Override
    public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        return Heartbeats.around(() -> engine(spec).promote(spec, frozen, new ActivityProgress()));
    }

    @Override
    public TrafficSwitchResult switchTraffic(MigrationSpec spec) {
        return traffic(spec).switchAfterPromotion(spec, heartbeat());
    }

    @Override
    public TrafficSwitchResult pauseTraffic(MigrationSpec spec) {
        return traffic(spec).pause(spec, heartbeat());
    }

    @Override
    public TrafficSwitchResult repointTraffic(MigrationSpec spec) {
        return traffic(spec).repoint(spec, heartbeat());
    }

    @Override
    public TrafficSwitchResult resumeTraffic(MigrationSpec spec) {
        return traffic(spec).resume(spec, heartbeat());
    }

    @Override
    public TrafficSwitchResult resumeTrafficOnSource(MigrationSpec spec) {
        return traffic(spec).resumeOnSource(spec, heartbeat());
    }

    @Override
    public BackupResult backupNewPrimary(MigrationSpec spec) {
        // One name per workflow run, so a retry finds (or replaces) its own earlier attempt.
        String name =
                spec.name() + "-" + Activity.getExecutionContext().getInfo().getRunId();
        return engine(spec).backupNewPrimary(spec, name, new ActivityProgress());
    }

    @Override
    public boolean targetPromoted(MigrationSpec spec) {
        return engine(spec).targetPromoted(spec);
    }

    @Override
    public String quietTarget(MigrationSpec spec) {
        return engine(spec).quietTarget(spec);
    }

    @Override
    public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        return Heartbeats.around(() -> engine(spec).promoteWithoutSource(spec, frozen));
    }

    @Override
    public String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        return engine(spec).retireOldSource(spec, preparation);
    }

    @Override
    public ChecklistResult runChecklist(MigrationSpec spec) {
        var target = hosts.ssh(spec.target());
        List<Check> checks = new ArrayList<>();
        checks.add(FinalChecklist.timeSync(target));
        checks.add(FinalChecklist.firewall(target, spec.target().database().port()));
        checks.addAll(engine(spec).memoryChecks(spec));
        return new ChecklistResult(checks);
    }

    @Override
    public ReportLocation writeReport(MigrationSpec spec, MigrationReport report) {
        return reports.write(spec, report);
    }
}
