package dev.switchover.worker.metrics;

import dev.switchover.activities.metrics.MigrationMetrics;
import dev.switchover.activities.metrics.StepPhases;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The migrations' own gauges, labelled by migration name. Prometheus names:
 * {@code switchover_phase{migration,phase}} (1 for the phase of the step the worker last started,
 * 0 for the others), {@code switchover_replication_streaming} (1 or 0), {@code
 * switchover_replication_lag_bytes} and {@code switchover_replication_lag_seconds} (NaN while the
 * target is not connected), {@code switchover_base_copy_bytes} and {@code
 * switchover_base_copy_progress_ratio} (0..1; 0 until the copy tool has estimated the size).
 */
final class MigrationGauges implements MigrationMetrics {
    private final MeterRegistry registry;
    // Micrometer holds gauge state weakly: these maps keep it alive for the worker's lifetime.
    private final Map<String, Value> values = new ConcurrentHashMap<>();

    MigrationGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void stepStarted(String migration, String activityType) {
        StepPhases.of(activityType).ifPresent(current -> {
            for (Phase phase : Phase.values()) {
                value(
                                "switchover.phase",
                                migration,
                                phase.name(),
                                "1 for the phase of the step the worker last started")
                        .set(phase == current ? 1 : 0);
            }
        });
    }

    /**
     * With no walsender for the target the engine has nothing to compare and samples MAX_VALUE, its
     * "unknown" (status says "not streaming"). As a gauge that would read 9.2e18 bytes and wreck
     * every graph and average; unknown is NaN, and the streaming gauge says why.
     */
    @Override
    public void lag(String migration, LagSample sample) {
        value("switchover.replication.streaming", migration, null, "1 while the target streams from the source, else 0")
                .set(sample.streaming() ? 1 : 0);
        value("switchover.replication.lag.bytes", migration, null, "replay lag of the target, bytes; NaN when unknown")
                .set(sample.lagBytes() == Long.MAX_VALUE ? Double.NaN : sample.lagBytes());
        value(
                        "switchover.replication.lag.seconds",
                        migration,
                        null,
                        "replay lag of the target, seconds; NaN when unknown")
                .set(sample.lagSeconds() == Double.MAX_VALUE ? Double.NaN : sample.lagSeconds());
    }

    @Override
    public void baseCopy(String migration, CopyProgress progress) {
        value("switchover.base.copy.bytes", migration, null, "bytes the base copy has transferred")
                .set(progress.doneBytes());
        value("switchover.base.copy.progress.ratio", migration, null, "base copy done, 0..1")
                .set(progress.percent() / 100.0);
    }

    private Value value(String name, String migration, String phase, String help) {
        String key = name + '\0' + migration + '\0' + phase;
        return values.computeIfAbsent(key, k -> {
            Value v = new Value();
            Gauge.Builder<Value> gauge =
                    Gauge.builder(name, v, Value::get).description(help).tag("migration", migration);
            if (phase != null) gauge.tag("phase", phase);
            gauge.register(registry);
            return v;
        });
    }

    /** A double a gauge reads; set from activity threads, read by the scrape. */
    private static final class Value {
        private final AtomicLong bits = new AtomicLong(Double.doubleToLongBits(0));

        void set(double value) {
            bits.set(Double.doubleToLongBits(value));
        }

        double get() {
            return Double.longBitsToDouble(bits.get());
        }
    }
}
