package dev.switchover.activities.traffic;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.hooks.HookRunner;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.TrafficSwitch;
import java.util.EnumMap;
import java.util.Map;

/**
 * Which {@link TrafficSwitcher} moves a migration's clients, by its {@code traffic.type}: one row
 * each, chosen once per activity, so no step asks which switch it runs. A new switch is a new
 * class plus one row here.
 */
public final class TrafficSwitchers {
    private final Map<TrafficSwitch, TrafficSwitcher> rows = new EnumMap<>(TrafficSwitch.class);

    public TrafficSwitchers(Hosts hosts, HookRunner hooks) {
        rows.put(TrafficSwitch.NONE, new NoTrafficSwitch());
        rows.put(TrafficSwitch.COMMAND, new CommandSwitch(hooks));
        rows.put(TrafficSwitch.PGBOUNCER, new PgBouncerSwitch(hosts));
    }

    /** The switch of {@code spec}'s traffic.type. */
    public TrafficSwitcher get(MigrationSpec spec) {
        return rows.get(spec.traffic().type());
    }
}
