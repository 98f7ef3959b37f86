package dev.switchover.worker;

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
        DemoSummary s =
                EndToEnd.migrate(Engine.POSTGRESQL, "e2e", "e2esrc", "198.18.0.21", "e2edst", "198.18.0.22", 50_000);
        EndToEnd.assertMovedWithNothingLost(s, "198.18.0.22", 50_000);
    }
}
