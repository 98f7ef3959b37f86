package dev.switchover.worker;

import dev.switchover.testkit.LabHost;
import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import org.junit.jupiter.api.Test;

/**
 * The demo's migration between two MySQL 9.7 lab hosts, under a writer logged in as the
 * application's own account ('app' at {@link LabHost#WORKER_ADDRESS}, no admin privileges): the
 * account must work on the new primary, and the old source's super_read_only must refuse it.
 */
class MySqlMigrationIT {

    @Test
    void liveDatabaseMovesToTheTargetWithNothingLost() throws Exception {
        DemoSummary s = EndToEnd.migrate(Engine.MYSQL, "mye2e", LabHost.MYE2ES, LabHost.MYE2ET, 20_000);
        EndToEnd.assertMovedWithNothingLost(s, LabHost.MYE2ET, 20_000);
    }
}
