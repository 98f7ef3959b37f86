package dev.switchover.workflows;

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
import io.temporal.client.ActivityCompletionException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Canned, instant answers for the workflow's tests and the starter's (a healthy pair of hosts, a
 * fast disk, a target in sync), recording every call. Each step can be given a behaviour (throw,
 * block until cancelled) through {@link #on}.
 */
public class FakeActivities implements MigrationActivities {
    public static final LagSample IN_SYNC = new LagSample(true, 0, 0.0, "0/3000060", "0/3000060", "streaming/async");
    public static final LagSample LAGGING =
            new LagSample(true, 512L << 20, 40.0, "0/33000000", "0/13000000", "streaming/async");

    public final List<String> calls = new CopyOnWriteArrayList<>();
    public volatile double iops = 50_000;
    public volatile Supplier<LagSample> lag = () -> IN_SYNC;
    /**
     * Migrations whose next preflight fails, once, as a preflight that found something to fix would:
     * by name, since the starter's tests share one fake between migrations.
     */
    public final Set<String> failPreflightOnce = ConcurrentHashMap.newKeySet();
    /** The replication method preflight reports (null: none, as MySQL's and older workers' reports). */
    public volatile String preflightMethod;
    /** The target's version preflight reports. */
    public volatile String targetVersion = "15.8";
    /** Each step's replication.method as the specs it was given named it ("null" for none). */
    public final Map<String, Set<String>> methods = new ConcurrentHashMap<>();

    private final Map<String, Runnable> behaviours = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** Runs {@code behaviour} at the start of the named step (method name), before its answer. */
    public FakeActivities on(String method, Runnable behaviour) {
        behaviours.put(method, behaviour);
        return this;
    }

    public int count(String method) {
        return counts.getOrDefault(method, new AtomicInteger()).get();
    }

    /** A behaviour that heartbeats until the activity is cancelled, like a long copy would. */
    public static Runnable blockUntilCancelled() {
        return () -> {
            for (int i = 0; i < 600; i++) {
                try {
                    Activity.getExecutionContext().heartbeat(i);
                    Thread.sleep(100);
                } catch (ActivityCompletionException cancelled) {
                    throw cancelled;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RuntimeException(e);
                }
            }
            throw new IllegalStateException("never cancelled");
        };
    }

    /** Fails the first {@code n} calls with a plain (retryable) error. */
    public static Runnable failFirst(int n, AtomicInteger seen) {
        return () -> {
            if (seen.incrementAndGet() <= n) throw new IllegalStateException("transient: connection reset");
        };
    }

    private void called(String method, MigrationSpec spec) {
        calls.add(method);
        if (spec != null && spec.replication() != null) {
            methods.computeIfAbsent(method, k -> new CopyOnWriteArraySet<>())
                    .add(String.valueOf(spec.replication().method()));
        }
        counts.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        Runnable b = behaviours.get(method);
        if (b != null) b.run();
    }

    /** The calls without the repeated lag samples, to compare step order. */
    public List<String> steps() {
        return calls.stream().filter(c -> !c.equals("measureLag")).toList();
    }

    @Override
    public PreflightReport preflight(MigrationSpec spec) {
        called("preflight", spec);
        if (failPreflightOnce.remove(spec.name())) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the target's data directory holds a database already; empty it or pick another target");
        }
        return new PreflightReport(
                "15.8",
                targetVersion,
                "/var/lib/postgresql/15/main",
                "/var/lib/postgresql/15/main",
                100L << 20,
                10L << 30,
                List.of(),
                List.of(Check.ok("versions", "15 = 15")),
                preflightMethod);
    }

    @Override
    public BenchmarkResult benchmarkTarget(MigrationSpec spec) {
        called("benchmarkTarget", spec);
        return new BenchmarkResult(iops, iops * 4, 900, "/var/lib/postgresql", "fio-3.33");
    }

    @Override
    public SourcePreparation prepareSource(MigrationSpec spec) {
        called("prepareSource", spec);
        return new SourcePreparation(true, true, true, List.of(), List.of());
    }

    @Override
    public void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
        called("undoPrepareSource", spec);
    }

    @Override
    public BaseCopyResult baseCopy(MigrationSpec spec) {
        called("baseCopy", spec);
        return new BaseCopyResult(100L << 20, 3, false, "pg_basebackup");
    }

    /** Whether the fake target is primary: true once promote or promoteWithoutSource completed. */
    public volatile boolean targetIsPrimary;

    @Override
    public boolean targetPromoted(MigrationSpec spec) {
        called("targetPromoted", spec);
        return targetIsPrimary;
    }

    @Override
    public String quietTarget(MigrationSpec spec) {
        called("quietTarget", spec);
        return "the target's standby 198.18.0.12 was stopped";
    }

    @Override
    public PromotionResult promoteWithoutSource(MigrationSpec spec, FrozenSource frozen) {
        called("promoteWithoutSource", spec);
        return new PromotionResult(false, "0/3000100", "pg_promote() without the source's proof");
    }

    @Override
    public String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        called("retireOldSource", spec);
        return "slot dropped, role replicator dropped, access rule removed; the fence stays";
    }

    @Override
    public LagSample measureLag(MigrationSpec spec) {
        called("measureLag", spec);
        return lag.get();
    }

    @Override
    public void stopApplication(MigrationSpec spec) {
        called("stopApplication", spec);
    }

    @Override
    public void resumeApplication(MigrationSpec spec) {
        called("resumeApplication", spec);
    }

    @Override
    public FrozenSource freezeWrites(MigrationSpec spec) {
        called("freezeWrites", spec);
        return new FrozenSource("0/3000060", 2);
    }

    @Override
    public void unfreezeWrites(MigrationSpec spec) {
        called("unfreezeWrites", spec);
    }

    @Override
    public SyncProof verifySync(MigrationSpec spec, FrozenSource frozen) {
        called("verifySync", spec);
        return new SyncProof(frozen.finalPosition(), frozen.finalPosition());
    }

    @Override
    public PromotionResult promote(MigrationSpec spec, FrozenSource frozen) {
        called("promote", spec);
        return new PromotionResult(false, "0/3000100", "pg_promote()");
    }

    @Override
    public TrafficSwitchResult switchTraffic(MigrationSpec spec) {
        called("switchTraffic", spec);
        return new TrafficSwitchResult("command", "exit 0");
    }

    @Override
    public TrafficSwitchResult pauseTraffic(MigrationSpec spec) {
        called("pauseTraffic", spec);
        return new TrafficSwitchResult("pgbouncer", "orders paused");
    }

    @Override
    public TrafficSwitchResult repointTraffic(MigrationSpec spec) {
        called("repointTraffic", spec);
        return new TrafficSwitchResult("pgbouncer", "orders pointed at the target and reloaded");
    }

    @Override
    public TrafficSwitchResult resumeTraffic(MigrationSpec spec) {
        called("resumeTraffic", spec);
        return new TrafficSwitchResult("pgbouncer", "orders resumed");
    }

    @Override
    public TrafficSwitchResult resumeTrafficOnSource(MigrationSpec spec) {
        called("resumeTrafficOnSource", spec);
        return new TrafficSwitchResult("pgbouncer", "orders resumed on the source");
    }

    @Override
    public BackupResult backupNewPrimary(MigrationSpec spec) {
        called("backupNewPrimary", spec);
        return new BackupResult(true, "/var/backups/switchover/x", 100L << 20, "pg_basebackup -Ft");
    }

    @Override
    public ChecklistResult runChecklist(MigrationSpec spec) {
        called("runChecklist", spec);
        return new ChecklistResult(List.of(Check.ok("time sync", "chrony synchronised")));
    }

    @Override
    public ReportLocation writeReport(MigrationSpec spec, MigrationReport report) {
        called("writeReport", spec);
        return new ReportLocation("reports/x.json", "reports/x.md");
    }
}
