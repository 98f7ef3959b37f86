package dev.switchover.worker;

import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import org.junit.jupiter.api.Test;

/**
 * The demo's migration between two MySQL 9.7 lab hosts, under a writer logged in as the
 * application's own account ('app'@'198.18.0.1', no admin privileges): the account must work on
 * the new primary, and the old source's super_read_only must refuse it.
 */
class MySqlMigrationIT {

    @Test
    void liveDatabaseMovesToTheTargetWithNothingLost() throws Exception {
        DemoSummary s =
                EndToEnd.migrate(Engine.MYSQL, "mye2e", "mye2es", "198.18.0.113", "mye2et", "198.18.0.114", 20_000);
        EndToEnd.assertMovedWithNothingLost(s, "198.18.0.114", 20_000);
    }
}
