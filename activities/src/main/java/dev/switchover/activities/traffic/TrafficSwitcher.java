package dev.switchover.activities.traffic;

import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;

/**
 * One traffic switch's activities, one method per runbook step; {@link TrafficSwitchers} has one
 * per {@code traffic.type}. A switch implements the steps its route in the workflow calls: the
 * switch after promotion (command), or the hold from the freeze on (PgBouncer: pause, repoint,
 * resume, or resume on the source after a rollback).
 */
public interface TrafficSwitcher {
    /** What preflight checks of the switch; nothing for a switch with nothing of its own to check. */
    default List<Check> preflight(MigrationSpec spec, Runnable heartbeat) {
        return List.of();
    }

    /** After promotion: points clients at the new primary. */
    default TrafficSwitchResult switchAfterPromotion(MigrationSpec spec, Runnable heartbeat) {
        throw absent(spec, "command");
    }

    /** Holds the database's clients before the source is frozen. */
    default TrafficSwitchResult pause(MigrationSpec spec, Runnable heartbeat) {
        throw absent(spec, "pgbouncer");
    }

    /** Points the held clients at the target, before promotion. */
    default TrafficSwitchResult repoint(MigrationSpec spec, Runnable heartbeat) {
        throw absent(spec, "pgbouncer");
    }

    /** Lets the held clients through to the new primary. */
    default TrafficSwitchResult resume(MigrationSpec spec, Runnable heartbeat) {
        throw absent(spec, "pgbouncer");
    }

    /** The undo of {@link #pause} after a rollback: the clients let through on the source. */
    default TrafficSwitchResult resumeOnSource(MigrationSpec spec, Runnable heartbeat) {
        throw absent(spec, "pgbouncer");
    }

    /**
     * A step this switch does not have. The workflow asks only for its own switch's steps, so a call
     * that comes anyway is a spec and a step that do not match: no retry can mend it, so it fails
     * at once, before any host is touched.
     */
    private static RuntimeException absent(MigrationSpec spec, String section) {
        return Failures.fatal(
                Failures.INVALID_SPEC,
                "traffic." + section + " is not set: traffic.type is "
                        + spec.traffic().type().id() + ", which has no such step");
    }
}
