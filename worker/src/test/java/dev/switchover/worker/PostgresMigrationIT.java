package dev.switchover.worker;

import dev.switchover.testkit.LabHost;
import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import org.junit.jupiter.api.Test;

/**
 * The whole workflow on two lab hosts with the real activities, under a continuous writer: what
 * `make demo` does, with the checks an operator relies on asserted.
 */
class PostgresMigrationIT {

    @Test
    void liveDatabaseMovesToTheTargetWithNothingLost() throws Exception {
        DemoSummary s = EndToEnd.migrate(Engine.POSTGRESQL, "e2e", LabHost.E2ESRC, LabHost.E2EDST, 50_000);
        EndToEnd.assertMovedWithNothingLost(s, LabHost.E2EDST, 50_000);
    }
}
