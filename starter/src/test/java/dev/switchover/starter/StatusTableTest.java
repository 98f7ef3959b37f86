package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.status.MigrationStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {
  private static MigrationStatus at(Phase phase) {
    return new MigrationStatus("orders", "postgresql", "198.18.0.11", "198.18.0.12", phase, "", false, List.of(),
        null, null, new CopyProgress(100L << 20, 100L << 20, "starting the target as a standby"), null, null, null,
        List.of(), null);
  }

  @Test
  void theCopysLineEndsWithTheCopy() {
    assertTrue(StatusTable.render("switchover-orders", at(Phase.BASE_COPY), Instant.now())
        .contains("Base copy    100% (100.0 MiB of 100.0 MiB, starting the target as a standby)"));
    for (Phase after : List.of(Phase.CATCH_UP, Phase.DONE)) {
      String table = StatusTable.render("switchover-orders", at(after), Instant.now());
      assertFalse(table.contains("Base copy"), after + " still shows the copy as running:\n" + table);
    }
  }
}
