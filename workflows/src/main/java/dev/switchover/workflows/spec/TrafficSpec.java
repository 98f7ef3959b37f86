package dev.switchover.workflows.spec;

/** How clients move to the new primary: not at all, by an operator's command, or by PgBouncer. */
public record TrafficSpec(TrafficSwitch type, HookSpec command, PgBouncerSpec pgbouncer) {

    TrafficSpec withDefaults() {
        return new TrafficSpec(
                type == null ? TrafficSwitch.NONE : type,
                command == null ? null : command.withDefaults(),
                pgbouncer == null ? null : pgbouncer.withDefaults());
    }
}
