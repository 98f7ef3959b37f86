package dev.switchover.worker;

import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import org.junit.jupiter.api.Test;

/**
 * The demo's migration between two MariaDB 10.11 lab hosts, under a writer logged in as the
 * application's own account ('app'@'198.18.0.1', without READ ONLY ADMIN, so read_only stops it):
 * the account must work on the new primary, and the old source's read_only must refuse it.
 */
class MariaDbMigrationIT {

    @Test
    void liveDatabaseMovesToTheTargetWithNothingLost() throws Exception {
        DemoSummary s =
                EndToEnd.migrate(Engine.MARIADB, "mde2e", "mde2es", "198.18.0.123", "mde2et", "198.18.0.124", 20_000);
        EndToEnd.assertMovedWithNothingLost(s, "198.18.0.124", 20_000);
    }
}
