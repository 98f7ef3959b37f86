package dev.switchover.workflows;

import dev.switchover.workflows.spec.TrafficSwitch;
import java.util.Map;
import java.util.function.Function;

/**
 * Which {@link TrafficRoute} moves a migration's clients, by its {@code traffic.type}: one row
 * each, chosen once per run, so no step asks which switch it runs. A new switch is a new route
 * plus one row here.
 */
final class TrafficRoutes {
    private static final Map<TrafficSwitch, Function<TrafficCutover, TrafficRoute>> ROWS = Map.of(
            // The operator points the clients; the workflow only says where.
            TrafficSwitch.NONE, NoTrafficRoute::new,
            // The operator's command runs once the target is primary.
            TrafficSwitch.COMMAND, CommandRoute::new,
            // PgBouncer holds the clients from the freeze on and is pointed at the target before promotion.
            TrafficSwitch.PGBOUNCER, PgBouncerRoute::new);

    private TrafficRoutes() {}

    /** The route of {@code cutover}'s spec, acting with what {@code cutover} holds. */
    static TrafficRoute of(TrafficCutover cutover) {
        return ROWS.get(cutover.spec().traffic().type()).apply(cutover);
    }
}
