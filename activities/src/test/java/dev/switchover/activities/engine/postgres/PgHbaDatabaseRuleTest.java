package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import org.junit.jupiter.api.Test;

/** Logical replication's pg_hba rules: one per database, each behind our marker, all removed by undo. */
class PgHbaDatabaseRuleTest {
    static final String TARGET = LabHost.LGT.address();

    @Test
    void eachDatabaseGetsItsRuleOnceAndUndoRemovesThemAllButOthersLines() {
        String out = PgHbaTest.DEBIAN;
        for (String db : new String[] {"postgres", "shop", "Mixed Case", "all"}) {
            out = PgHba.withDatabaseRule(out, "orders", db, "replicator", TARGET);
        }
        assertTrue(out.contains("host shop replicator " + TARGET + "/32 scram-sha-256\n"), out);
        assertTrue(out.contains("host \"all\" replicator " + TARGET + "/32 scram-sha-256\n"), out);
        assertTrue(out.contains("host \"Mixed Case\" replicator"), out);
        assertEquals(out, PgHba.withDatabaseRule(out, "orders", "shop", "replicator", TARGET), "idempotent");

        String ours = "host shop replicator " + TARGET + "/32 scram-sha-256";
        String edited = out.replace(ours, "host shop replicator " + TARGET + "/32 trust");
        String back = PgHba.withoutDatabaseRules(edited, "orders", "replicator", TARGET);
        assertTrue(
                back.contains("host shop replicator " + TARGET + "/32 trust"), "a line someone edited stays: " + back);
        assertEquals(PgHbaTest.DEBIAN, PgHba.withoutDatabaseRules(out, "orders", "replicator", TARGET));
    }
}
