package dev.switchover.activities.engine.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.Failures;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetGuardTest {
    static final String SRC = "uuid-source";

    @Test
    void emptyOursOrReplicatingTargetsMayBeEmptied() {
        TargetGuard.decide(SRC, "t", new TargetGuard.Facts("uuid-t", List.of(), null, null, null));
        TargetGuard.decide(SRC, "t", new TargetGuard.Facts("uuid-t", List.of("shop"), "unfinished", SRC, null));
        TargetGuard.decide(SRC, "t", new TargetGuard.Facts("uuid-t", List.of("shop"), "complete", SRC, null));
        TargetGuard.decide(SRC, "t", new TargetGuard.Facts("uuid-t", List.of("shop"), null, null, SRC));
    }

    @Test
    void somebodysDataThePromotedCopyAndTheSourceItselfAreRefused() {
        assertEquals(
                Failures.WIPE_REFUSED,
                refused(new TargetGuard.Facts("uuid-t", List.of("crm"), null, null, null))
                        .getType());
        assertEquals(
                Failures.WIPE_REFUSED,
                refused(new TargetGuard.Facts(
                                "uuid-t", List.of("crm"), "unfinished", "another-source", "another-source"))
                        .getType());
        var promoted = refused(new TargetGuard.Facts("uuid-t", List.of("shop"), "promoted", SRC, null));
        assertTrue(promoted.getOriginalMessage().contains("already promoted"), promoted.getOriginalMessage());
        assertEquals(
                Failures.WRONG_HOST,
                refused(new TargetGuard.Facts(SRC, List.of(), null, null, null)).getType());
    }

    private static ApplicationFailure refused(TargetGuard.Facts f) {
        return assertThrows(ApplicationFailure.class, () -> TargetGuard.decide(SRC, "t", f));
    }
}
