package dev.switchover.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.SetWriter.Outcome;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SetCheckerTest {
    @Test
    void acknowledgedIdMissingIsLost() {
        var v = SetChecker.check(Map.of(1L, Outcome.ACKNOWLEDGED, 2L, Outcome.ACKNOWLEDGED), Set.of(1L));
        assertEquals(Set.of(2L), v.lost());
        assertFalse(v.valid());
    }

    @Test
    void idNeverAttemptedIsUnexpected() {
        var v = SetChecker.check(Map.of(1L, Outcome.ACKNOWLEDGED), Set.of(1L, 7L));
        assertEquals(Set.of(7L), v.unexpected());
        assertFalse(v.valid());
    }

    @Test
    void unknownMayGoEitherWayButFailedMustBeAbsent() {
        assertTrue(SetChecker.check(Map.of(1L, Outcome.UNKNOWN, 2L, Outcome.UNKNOWN), Set.of(1L))
                .valid());
        var v = SetChecker.check(Map.of(1L, Outcome.FAILED), Set.of(1L));
        assertEquals(Set.of(1L), v.failedButPresent());
        assertFalse(v.valid());
    }
}
