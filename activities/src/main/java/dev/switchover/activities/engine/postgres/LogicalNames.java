package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.spec.MigrationSpec;

/**
 * The names logical replication's objects get, in one place: preparation creates them, the copy
 * subscribes to them, undo and retiring the old source drop them.
 */
final class LogicalNames {
    /** PostgreSQL's NAMEDATALEN - 1: longer names are cut by the server, silently. */
    private static final int MAX = 63;

    private LogicalNames() {}

    /** The publication in each database moved, FOR ALL TABLES. */
    static String publication(MigrationSpec spec) {
        String name = "switchover_" + spec.name().replaceAll("[^a-z0-9_]", "_");
        return name.length() > MAX ? name.substring(0, MAX) : name;
    }

    /** What the objects switchover creates say in their comment, so undo drops only its own. */
    static String comment(MigrationSpec spec) {
        return "switchover:" + spec.name();
    }
}
