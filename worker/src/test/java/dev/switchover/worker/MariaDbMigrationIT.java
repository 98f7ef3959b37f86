package dev.switchover.worker;

import dev.switchover.testkit.LabHost;
import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import org.junit.jupiter.api.Test;

/**
 * The demo's migration between two MariaDB 10.11 lab hosts, under a writer logged in as the
 * application's own account ('app' at {@link LabHost#WORKER_ADDRESS}, without READ ONLY ADMIN, so
 * read_only stops it): the account must work on the new primary, and the old source's read_only
 * must refuse it.
 */
class MariaDbMigrationIT {

    @Test
    void liveDatabaseMovesToTheTargetWithNothingLost() throws Exception {
        DemoSummary s = EndToEnd.migrate(Engine.MARIADB, "mde2e", LabHost.MDE2ES, LabHost.MDE2ET, 20_000);
        EndToEnd.assertMovedWithNothingLost(s, LabHost.MDE2ET, 20_000);
    }
}
