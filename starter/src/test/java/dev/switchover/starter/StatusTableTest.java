package dev.switchover.starter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Phase;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.status.MigrationStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {
    private static MigrationStatus at(Phase phase) {
        return new StatusFixture()
                .hosts(LabHost.SRC.address(), LabHost.DST.address())
                .phase(phase)
                .copy(new CopyProgress(100L << 20, 100L << 20, "starting the target as a standby"))
                .build();
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

    @Test
    void catchUpSaysTheRateAndWhenInSync() {
        Instant at = Instant.parse("2026-12-06T23:01:39Z");
        MigrationStatus s = new StatusFixture()
                .hosts(LabHost.SRC.address(), LabHost.DST.address())
                .phase(Phase.CATCH_UP)
                .catchUpDeadline(Instant.parse("2026-12-07T00:00:00Z"))
                .catchUp(new dev.switchover.workflows.status.CatchUpProgress(
                        -(1 << 20),
                        dev.switchover.workflows.status.CatchUpProgress.Trend.SHRINKING,
                        at,
                        true,
                        "lag shrinking by 1.0 MiB/s: in sync in about 1m9s (2026-12-06T23:01:39Z)"))
                .build();
        String table = StatusTable.render("switchover-orders", s, Instant.now());
        assertTrue(
                table.contains("Catch-up     lag shrinking by 1.0 MiB/s: in sync in about 1m9s (" + Human.dateTime(at)
                        + "); gives up at "),
                table);
    }
}
