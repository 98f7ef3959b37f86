package dev.switchover.workflows.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Each engine's defaults, as the operator's runbook and the lab rely on them. */
class EngineRulesTest {
    private static final DatabaseSpec EMPTY = new DatabaseSpec(null, null, null, null, null, null, null, null);

    @Test
    void databaseDefaultsAreWhatEachEnginesPackagesInstall() {
        assertEquals(
                new DatabaseSpec(
                        5432,
                        "postgres",
                        null,
                        "postgres",
                        null,
                        "systemctl start postgresql",
                        "systemctl stop postgresql",
                        TlsMode.PREFER),
                EMPTY.withDefaults(Engine.POSTGRESQL));
        assertEquals(
                new DatabaseSpec(
                        3306,
                        "root",
                        null,
                        "mysql",
                        null,
                        "systemctl start mysql",
                        "systemctl stop mysql",
                        TlsMode.PREFER),
                EMPTY.withDefaults(Engine.MYSQL));
        assertEquals(
                new DatabaseSpec(
                        3306,
                        "root",
                        null,
                        "mysql",
                        null,
                        "systemctl start mariadb",
                        "systemctl stop mariadb",
                        TlsMode.PREFER),
                EMPTY.withDefaults(Engine.MARIADB));
    }

    @Test
    void postgresqlGetsASlotAndPhysicalReplicationAndMysqlFamilyADumpByDefault() {
        ReplicationSpec empty = new ReplicationSpec(null, "env:REPL", null);

        assertEquals(
                new ReplicationSpec("replicator", "env:REPL", "switchover_orders_pg15", null, ReplicationSpec.PHYSICAL),
                empty.withDefaults("orders-pg15", Engine.POSTGRESQL));
        for (Engine e : new Engine[] {Engine.MYSQL, Engine.MARIADB}) {
            ReplicationSpec r = empty.withDefaults("orders", e);
            assertNull(r.slot(), e.id());
            assertEquals(ReplicationSpec.DUMP, r.copyMethod(), e.id());
            assertNull(r.method(), e.id() + " chooses by copyMethod");
        }
    }

    @Test
    void givenValuesAreKept() {
        ReplicationSpec given =
                new ReplicationSpec("repl", "env:REPL", "mine", ReplicationSpec.CLONE, ReplicationSpec.LOGICAL);

        assertEquals(given, given.withDefaults("orders", Engine.MYSQL));
        assertEquals(given, given.withDefaults("orders", Engine.POSTGRESQL));
    }

    @Test
    void thePreparationsRecordSpeaksEachEnginesWords() {
        assertEquals(
                "role created, pg_hba line added, slot present, 2 settings changed",
                Engine.POSTGRESQL.preparationSummary(true, true, false, 2));
        assertEquals(
                "role present, access rule present, slot created, 0 settings changed",
                Engine.POSTGRESQL.preparationSummary(false, false, true, 0));
        assertEquals(
                "replication account created, 1 settings changed",
                Engine.MYSQL.preparationSummary(true, false, false, 1));
        assertEquals(
                "replication account present, 0 settings changed",
                Engine.MARIADB.preparationSummary(false, false, false, 0));
    }
}
