package dev.switchover.workflows.fleet;

import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Many databases moved in waves, as the fleet workflow's input. Every migration spec is complete
 * (loaded and validated from its own file), so the history shows exactly what each one ran with;
 * like a migration spec it carries references to secrets, never a secret.
 *
 * @param concurrency how many migrations of a wave run at once (default 1)
 * @param approval who opens each cutover gate: each database's own approval, or one per wave
 * @param onFailure whether a failure stops its wave (default) or the wave goes on
 */
public record FleetSpec(
        String name, Integer concurrency, FleetApproval approval, FailurePolicy onFailure, List<WaveSpec> waves) {

    /** One wave: its migrations start in the order listed, at most {@code concurrency} at once. */
    public record WaveSpec(String name, List<MigrationSpec> migrations) {}

    public FleetSpec withDefaults() {
        List<WaveSpec> named = new ArrayList<>();
        for (int i = 0; i < waves.size(); i++) {
            WaveSpec w = waves.get(i);
            named.add(new WaveSpec(
                    w.name() == null || w.name().isBlank() ? "wave-" + (i + 1) : w.name(),
                    w.migrations().stream().map(MigrationSpec::withDefaults).toList()));
        }
        return new FleetSpec(
                name,
                concurrency == null ? 1 : concurrency,
                approval == null ? FleetApproval.DATABASE : approval,
                onFailure == null ? FailurePolicy.STOP_WAVE : onFailure,
                List.copyOf(named));
    }

    /** The fleet's workflow id; its migrations keep their own (switchover-NAME). */
    public String workflowId() {
        return workflowId(name);
    }

    public static String workflowId(String name) {
        return "switchover-fleet-" + name;
    }
}
