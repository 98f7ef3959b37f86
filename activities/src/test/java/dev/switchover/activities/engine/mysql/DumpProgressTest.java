package dev.switchover.activities.engine.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import java.util.List;
import org.junit.jupiter.api.Test;

class DumpProgressTest {
    @Test
    void eachAnnouncedTableCompletesTheOnesBeforeIt() {
        DumpProgress p = new DumpProgress(List.of(
                new DumpProgress.Table("crm", "a", 100),
                new DumpProgress.Table("crm", "b", 300),
                new DumpProgress.Table("shop", "a", 600)));
        assertEquals(1000, p.total());
        assertTrue(p.accept("-- Connecting to " + LabHost.MYS.address() + "...").isEmpty());
        assertEquals(
                0,
                p.accept("-- Retrieving table structure for table a...")
                        .orElseThrow()
                        .doneBytes());
        assertTrue(p.accept("-- Sending SELECT query...").isEmpty());
        // b is skipped in the output (a view, or filtered): the next a is shop's, after both of crm's.
        var shop = p.accept("-- Retrieving table structure for table a...").orElseThrow();
        assertEquals(400, shop.doneBytes());
        assertEquals("copying shop.a", shop.stage());
        assertTrue(
                p.accept("-- Retrieving table structure for table zz...").isEmpty(), "an unknown table moves nothing");
        assertEquals(1000, p.finished().doneBytes());
    }
}
