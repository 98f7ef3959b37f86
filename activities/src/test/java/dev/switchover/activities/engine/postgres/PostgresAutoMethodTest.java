package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.ReplicationSpec;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** auto's choice between the two methods, by the source's major and the one the target is meant for. */
class PostgresAutoMethodTest {
    private static final MigrationSpec SPEC = new MigrationSpec(
            "orders",
            dev.switchover.workflows.spec.Engine.POSTGRESQL,
            new HostSpec("198.18.0.11", null, null),
            new HostSpec("198.18.0.12", null, null),
            new ReplicationSpec(null, "env:REPL", null, null, ReplicationSpec.AUTO),
            null,
            null,
            null,
            null,
            null,
            null);

    @Test
    void theSameMajorIsPhysicalANewerTargetLogical() {
        assertEquals(ReplicationSpec.PHYSICAL, PostgresAutoMethod.choose(SPEC, "15.8 (Debian 15.8-1.pgdg120+1)", "15"));
        assertEquals(ReplicationSpec.LOGICAL, PostgresAutoMethod.choose(SPEC, "15.8", "17"));
        assertEquals(ReplicationSpec.LOGICAL, PostgresAutoMethod.choose(SPEC, "9.6.24", "10"), "compared as numbers");
        assertEquals(ReplicationSpec.LOGICAL, PostgresAutoMethod.choose(SPEC, "17.2", "18beta1"), "a pre-release");
    }

    @Test
    void anOlderTargetIsRefusedNamingBothVersions() {
        ApplicationFailure f =
                assertThrows(ApplicationFailure.class, () -> PostgresAutoMethod.choose(SPEC, "17.2", "15"));

        assertEquals(Failures.PREFLIGHT_FAILED, f.getType());
        assertTrue(f.isNonRetryable());
        String m = f.getOriginalMessage();
        assertTrue(m.startsWith("a newer server cannot be moved to an older one: "), m);
        assertTrue(m.contains("198.18.0.11 runs PostgreSQL 17.2") && m.contains("meant for PostgreSQL 15"), m);
    }

    @Test
    void noStepAfterPreflightRunsWithAuto() {
        PostgresAutoMethod auto = new PostgresAutoMethod(new Hosts(new SecretResolver(Map.of())), null, null);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> auto.baseCopy(SPEC, null));
        assertTrue(e.getMessage().contains("resolved in preflight"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> auto.prepareSource(SPEC));
        assertThrows(IllegalStateException.class, () -> auto.promote(SPEC, null));
    }
}
