package dev.switchover.worker.demo;

import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.spec.Engine;

/**
 * The demo's pair of lab hosts per engine, and the migration's name there: each engine has hosts of
 * its own, because a lab host keeps the flavor it was made with.
 */
enum DemoPair {
    POSTGRESQL(Engine.POSTGRESQL, "demo", LabHost.SRC, LabHost.DST),
    MYSQL(Engine.MYSQL, "demo-mysql", LabHost.MYSRC, LabHost.MYDST),
    MARIADB(Engine.MARIADB, "demo-mariadb", LabHost.MDSRC, LabHost.MDDST);

    final Engine engine;
    final String migration;
    final LabHost source;
    final LabHost target;

    DemoPair(Engine engine, String migration, LabHost source, LabHost target) {
        this.engine = engine;
        this.migration = migration;
        this.source = source;
        this.target = target;
    }

    static DemoPair of(Engine engine) {
        for (DemoPair p : values()) {
            if (p.engine == engine) return p;
        }
        throw new IllegalArgumentException("the demo has no hosts for " + engine.id());
    }
}
