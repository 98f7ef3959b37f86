package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import dev.switchover.worker.demo.DemoRun;
import dev.switchover.worker.demo.DemoSummary;
import dev.switchover.workflows.spec.Engine;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's migration as a test, for any engine: a live source moved to its target under a
 * continuous writer, with the checks an operator relies on asserted.
 */
final class EndToEnd {
    private EndToEnd() {}

    static DemoSummary migrate(Engine engine, String name, LabHost source, LabHost target, long rows) throws Exception {
        return migrate(engine, name, source, target, rows, null);
    }

    /** As {@link #migrate(Engine, String, LabHost, LabHost, long)} by replication.method {@code method}. */
    static DemoSummary migrate(Engine engine, String name, LabHost source, LabHost target, long rows, String method)
            throws Exception {
        Path dir = Files.createTempDirectory("switchover-" + name);
        DemoSummary s = new DemoRun(
                        DemoRun.Options.of(engine, name, source, target, rows, dir)
                                .withMethod(method),
                        line -> System.out.println(name + ": " + line))
                .run();
        System.out.println(name + ": " + s.json());
        return s;
    }

    /** DONE, the target the writable primary, the same rows, no acknowledged write lost, the source read-only. */
    static void assertMovedWithNothingLost(DemoSummary s, LabHost target, long rows) throws Exception {
        assertTrue(s.migrationDone(), "the migration reached DONE");
        assertEquals(
                target.address(), s.targetPrimary(), "the target is the primary, and the application can write to it");
        assertEquals(rows, s.rowsOnSource());
        assertEquals(rows, s.rowsOnTarget());
        assertTrue(s.checksumsMatch(), "every row on the target equals the source's");
        assertTrue(s.acknowledgedWrites() > 100, "the writer kept writing: " + s.acknowledgedWrites());
        assertEquals(0, s.lostWrites(), "acknowledged writes missing on the new primary");
        assertEquals(0, s.unexpectedWrites(), "writes on the new primary that were never attempted");
        assertEquals(0, s.failedButPresentWrites(), "writes refused by the source yet present on the target");
        assertTrue(s.sourceRefusesWrites(), "the old source refuses the application's writes after cutover");
        assertTrue(Files.readString(Path.of(s.report())).contains("**DONE**"), "the report says DONE");
        if (s.nextIdOnNewPrimary() >= 0) {
            assertTrue(
                    s.nextIdOnNewPrimary() > rows,
                    "the application's next id on the new primary follows the source's: " + s.nextIdOnNewPrimary());
        }
    }
}
