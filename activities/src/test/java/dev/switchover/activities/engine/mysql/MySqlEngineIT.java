package dev.switchover.activities.engine.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.engine.Progress;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The engine's steps on MySQL 9.7 (Debian sid's mysql-server) hosts mys and myt. */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:mys+myt")
class MySqlEngineIT extends MySqlEngineContract {
    @Override
    Engine kind() {
        return Engine.MYSQL;
    }

    @Test
    void clonesInsteadOfDumpingWhenAsked() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "clone")) {
            seed(p, 20_000);
            MySqlEngine cloning = new MySqlEngine(p.hosts, Dialect.MYSQL, CloneCopy::new);
            MigrationSpec spec = SpecLoader.parse(
                    p.yaml("clone").replace("replication:\n", "replication:\n  copyMethod: clone\n"), "test spec");
            cloning.preflight(spec);
            cloning.prepareSource(spec);
            Recording progress = new Recording();
            BaseCopyResult copy = cloning.baseCopy(spec, progress);
            assertEquals("clone", copy.method());
            assertTrue(copy.bytes() > 1_000_000, "the clone copied the data files: " + copy);
            assertTrue(cloning.baseCopy(spec, Progress.NONE).alreadyDone(), "a second copy finds the first");

            p.execute(p.source, "INSERT INTO shop.orders VALUES (500000, 'after the clone', 1.00)");
            awaitInSync(p);
            assertEquals(p.fingerprint(p.source, "shop.orders"), p.fingerprint(p.target, "shop.orders"));
            assertNotNull(
                    p.one(p.target, "SELECT 1 FROM mysql.user WHERE user = 'app'"), "the clone brought the accounts");

            FrozenSource frozen = cloning.freezeWrites(spec);
            cloning.verifySync(spec, frozen, Progress.NONE);
            cloning.promote(spec, frozen);
            appWrite(p, p.target);
        }
    }
}
