package dev.switchover.activities.engine;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.mysql.CloneCopy;
import dev.switchover.activities.engine.mysql.Dialect;
import dev.switchover.activities.engine.mysql.DumpCopy;
import dev.switchover.activities.engine.mysql.MySqlEngine;
import dev.switchover.activities.engine.postgres.PostgresAutoMethod;
import dev.switchover.activities.engine.postgres.PostgresEngine;
import dev.switchover.activities.engine.postgres.PostgresLogicalEngine;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which {@link DatabaseEngine} runs a migration, by its engine and its method: for PostgreSQL
 * replication.method (physical, logical, or auto until preflight resolves it), for MySQL and
 * MariaDB replication.copyMethod. The spec's engine says which field is its method
 * ({@link Engine#method}), so no step branches on the method or the field. Adding a method is a new
 * class (for MySQL and MariaDB, a MySqlCopyMethod) plus one row here.
 */
public final class EngineRegistry {
    /** PostgreSQL's physical method, pg_basebackup and streaming; the default of its specs. */
    public static final String PHYSICAL = ReplicationSpec.PHYSICAL;

    private record Key(Engine engine, String method) {
        @Override
        public String toString() {
            return engine.id() + "/" + method;
        }
    }

    private final Map<Key, DatabaseEngine> rows = new LinkedHashMap<>();

    public EngineRegistry(Hosts hosts) {
        PostgresEngine physical = new PostgresEngine(hosts);
        PostgresLogicalEngine logical = new PostgresLogicalEngine(hosts);
        row(Engine.POSTGRESQL, ReplicationSpec.PHYSICAL, physical);
        row(Engine.POSTGRESQL, ReplicationSpec.LOGICAL, logical);
        row(Engine.POSTGRESQL, ReplicationSpec.AUTO, new PostgresAutoMethod(hosts, physical, logical));
        row(Engine.MYSQL, ReplicationSpec.DUMP, new MySqlEngine(hosts, Dialect.MYSQL, DumpCopy::new));
        row(Engine.MYSQL, ReplicationSpec.CLONE, new MySqlEngine(hosts, Dialect.MYSQL, CloneCopy::new));
        row(Engine.MARIADB, ReplicationSpec.DUMP, new MySqlEngine(hosts, Dialect.MARIADB, DumpCopy::new));
    }

    private void row(Engine engine, String method, DatabaseEngine runner) {
        rows.put(new Key(engine, method), runner);
    }

    /** The engine that runs {@code spec}; a fatal failure naming what is supported for a pair without a row. */
    public DatabaseEngine get(MigrationSpec spec) {
        String method = spec.engine().method(spec.replication());
        DatabaseEngine e = rows.get(new Key(spec.engine(), method));
        if (e == null) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "this worker cannot migrate " + spec.engine().id() + " with copy method " + method + " yet; only "
                            + rows.keySet() + " (engine/method) are supported");
        }
        return e;
    }
}
