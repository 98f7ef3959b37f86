package dev.switchover.activities.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.mysql.MySqlEngine;
import dev.switchover.activities.engine.postgres.PostgresAutoMethod;
import dev.switchover.activities.engine.postgres.PostgresEngine;
import dev.switchover.activities.engine.postgres.PostgresLogicalEngine;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineRegistryTest {
    private final Hosts hosts = new Hosts(new SecretResolver(Map.of()));
    private final EngineRegistry registry = new EngineRegistry(hosts);

    private static MigrationSpec spec(Engine engine, String copyMethod) {
        return spec(engine, copyMethod, null);
    }

    private static MigrationSpec spec(Engine engine, String copyMethod, String method) {
        return new MigrationSpec(
                "shop",
                engine,
                null,
                null,
                new ReplicationSpec(null, "env:REPL", null, copyMethod, method),
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void eachEngineAndCopyMethodHasAnEngineOfItsOwn() {
        assertInstanceOf(
                PostgresEngine.class,
                registry.get(spec(Engine.POSTGRESQL, null)),
                "physical, PostgreSQL's only method");
        DatabaseEngine dump = registry.get(spec(Engine.MYSQL, ReplicationSpec.DUMP));
        DatabaseEngine clone = registry.get(spec(Engine.MYSQL, ReplicationSpec.CLONE));
        assertInstanceOf(MySqlEngine.class, dump);
        assertInstanceOf(MySqlEngine.class, clone);
        assertNotSame(dump, clone);
        assertSame(
                dump,
                registry.get(spec(Engine.MYSQL, null)),
                "a spec that names no method dumps, as SpecLoader fills in");
        assertInstanceOf(MySqlEngine.class, registry.get(spec(Engine.MARIADB, ReplicationSpec.DUMP)));
        assertNotSame(dump, registry.get(spec(Engine.MARIADB, ReplicationSpec.DUMP)));
    }

    @Test
    void postgresqlIsKeyedByReplicationMethod() {
        DatabaseEngine physical = registry.get(spec(Engine.POSTGRESQL, null, ReplicationSpec.PHYSICAL));
        assertInstanceOf(PostgresEngine.class, physical);
        assertSame(physical, registry.get(spec(Engine.POSTGRESQL, null, null)), "physical when the spec names none");
        assertInstanceOf(
                PostgresLogicalEngine.class, registry.get(spec(Engine.POSTGRESQL, null, ReplicationSpec.LOGICAL)));
        assertInstanceOf(PostgresAutoMethod.class, registry.get(spec(Engine.POSTGRESQL, null, ReplicationSpec.AUTO)));
    }

    @Test
    void aPairWithoutARowIsRefusedNamingWhatIsSupported() {
        ApplicationFailure f =
                assertThrows(ApplicationFailure.class, () -> registry.get(spec(Engine.MARIADB, ReplicationSpec.CLONE)));
        assertEquals(Failures.PREFLIGHT_FAILED, f.getType());
        assertTrue(
                f.getOriginalMessage().contains("cannot migrate mariadb with copy method clone"),
                f.getOriginalMessage());
        assertTrue(
                f.getOriginalMessage().contains("mysql/clone")
                        && f.getOriginalMessage().contains("mariadb/dump"),
                f.getOriginalMessage());
    }
}
