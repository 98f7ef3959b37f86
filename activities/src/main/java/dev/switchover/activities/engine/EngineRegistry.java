package dev.switchover.activities.engine;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.mysql.CloneCopy;
import dev.switchover.activities.engine.mysql.Dialect;
import dev.switchover.activities.engine.mysql.DumpCopy;
import dev.switchover.activities.engine.mysql.MySqlEngine;
import dev.switchover.activities.engine.postgres.PostgresEngine;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which {@link DatabaseEngine} runs a migration, by its engine and its copy method
 * (replication.copyMethod): one row each, chosen once per activity, so no step branches on the
 * method. Adding a copy method is a new class (for MySQL and MariaDB, a MySqlCopyMethod) plus one
 * row here.
 */
public final class EngineRegistry {
    /** PostgreSQL's one copy method, pg_basebackup; its specs name none. */
    public static final String PHYSICAL = "physical";

    /**
     * The method of a spec that names none: PostgreSQL's only one, and for MySQL and MariaDB the
     * dump that SpecLoader fills in (a spec from before copyMethod existed names none).
     */
    private static final Map<Engine, String> DEFAULT_METHOD = Map.of(
            Engine.POSTGRESQL, PHYSICAL, Engine.MYSQL, ReplicationSpec.DUMP, Engine.MARIADB, ReplicationSpec.DUMP);

    private record Key(Engine engine, String method) {
        @Override
        public String toString() {
            return engine.id() + "/" + method;
        }
    }

    private final Map<Key, DatabaseEngine> rows = new LinkedHashMap<>();

    public EngineRegistry(Hosts hosts) {
        row(Engine.POSTGRESQL, PHYSICAL, new PostgresEngine(hosts));
        row(Engine.MYSQL, ReplicationSpec.DUMP, new MySqlEngine(hosts, Dialect.MYSQL, DumpCopy::new));
        row(Engine.MYSQL, ReplicationSpec.CLONE, new MySqlEngine(hosts, Dialect.MYSQL, CloneCopy::new));
        row(Engine.MARIADB, ReplicationSpec.DUMP, new MySqlEngine(hosts, Dialect.MARIADB, DumpCopy::new));
    }

    private void row(Engine engine, String method, DatabaseEngine runner) {
        rows.put(new Key(engine, method), runner);
    }

    /** The engine that runs {@code spec}; a fatal failure naming what is supported for a pair without a row. */
    public DatabaseEngine get(MigrationSpec spec) {
        String named = spec.replication() == null ? null : spec.replication().copyMethod();
        String method = named != null ? named : DEFAULT_METHOD.get(spec.engine());
        DatabaseEngine e = rows.get(new Key(spec.engine(), method));
        if (e == null) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "this worker cannot migrate " + spec.engine().id() + " with copy method " + method + " yet; only "
                            + rows.keySet() + " (engine/copy method) are supported");
        }
        return e;
    }
}
