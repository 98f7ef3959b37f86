package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.worker.demo.DemoRun;
import dev.switchover.worker.demo.DemoSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The whole workflow on two lab hosts with the real activities, under a continuous writer: what
 * `make demo` does, with the checks an operator relies on asserted.
 */
class PostgresMigrationIT {

  @Test
  void liveDatabaseMovesToTheTargetWithNothingLost() throws Exception {
    Path dir = Files.createTempDirectory("switchover-e2e");
    DemoSummary s = new DemoRun(new DemoRun.Options("e2e", "e2esrc", "198.18.0.21", "e2edst", "198.18.0.22",
        50_000, dir), line -> System.out.println("e2e: " + line)).run();

    assertTrue(s.migrationDone(), "the migration reached DONE");
    assertEquals("198.18.0.22", s.targetPrimary(), "the target is the primary");
    assertEquals(50_000, s.rowsOnTarget());
    assertTrue(s.checksumsMatch(), "every row on the target equals the source's");
    assertTrue(s.acknowledgedWrites() > 100, "the writer kept writing: " + s.acknowledgedWrites());
    assertEquals(0, s.lostWrites(), "acknowledged writes missing on the new primary");
    assertEquals(0, s.unexpectedWrites(), "writes on the new primary that were never attempted");
    assertEquals(0, s.failedButPresentWrites(), "writes refused by the source yet present on the target");
    assertTrue(s.sourceRefusesWrites(), "the old source refuses writes after cutover");
    assertTrue(Files.readString(Path.of(s.report())).contains("**DONE**"), "the report says DONE");
  }
}
