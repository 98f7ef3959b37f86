package dev.switchover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.workflows.spec.CutoverWindowSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CutoverWindowTest {
    /** Saturdays and Sundays, 02:00 to 05:00 in Oslo: CET (UTC+1) in winter, CEST (UTC+2) in summer. */
    private static final CutoverWindow WEEKEND_NIGHTS = window(List.of("SAT", "SUN"), "02:00", "05:00", "Europe/Oslo");

    private static CutoverWindow window(List<String> days, String from, String to, String zone) {
        return CutoverWindow.of(new CutoverWindowSpec(days, from, to, zone, null).withDefaults());
    }

    @Test
    void openOnlyOnItsDaysBetweenItsHoursInItsZone() {
        // Friday 2026-11-27 12:00 UTC: next is Saturday 02:00 Oslo = 01:00 UTC.
        Instant friday = Instant.parse("2026-11-27T12:00:00Z");
        assertFalse(WEEKEND_NIGHTS.isOpen(friday));
        assertEquals(Instant.parse("2026-11-28T01:00:00Z"), WEEKEND_NIGHTS.opensAfter(friday));
        assertTrue(WEEKEND_NIGHTS.isOpen(Instant.parse("2026-11-28T01:00:00Z")), "open at its first second");
        assertTrue(WEEKEND_NIGHTS.isOpen(Instant.parse("2026-11-28T03:59:59Z")));
        assertFalse(WEEKEND_NIGHTS.isOpen(Instant.parse("2026-11-28T04:00:00Z")), "closed at 05:00 Oslo");
        // Saturday after it closed: Sunday's.
        assertEquals(
                Instant.parse("2026-11-29T01:00:00Z"),
                WEEKEND_NIGHTS.opensAfter(Instant.parse("2026-11-28T04:00:00Z")));
        // Sunday after it closed: next Saturday.
        assertEquals(
                Instant.parse("2026-12-05T01:00:00Z"),
                WEEKEND_NIGHTS.opensAfter(Instant.parse("2026-11-29T10:00:00Z")));
        assertEquals(
                "2026-11-28T01:00:00Z (SAT 02:00 Europe/Oslo)",
                WEEKEND_NIGHTS.describeOpening(Instant.parse("2026-11-28T01:00:00Z")));
    }

    @Test
    void summerTimeMovesTheWindowInUtc() {
        // Saturday 2026-06-06: Oslo is UTC+2, so 02:00 there is 00:00 UTC.
        assertEquals(
                Instant.parse("2026-06-06T00:00:00Z"),
                WEEKEND_NIGHTS.opensAfter(Instant.parse("2026-06-05T12:00:00Z")));
    }

    @Test
    void aWindowAcrossMidnightBelongsToTheDayItStarts() {
        CutoverWindow fridayNight = window(List.of("FRI"), "22:00", "02:00", "UTC");
        assertTrue(fridayNight.isOpen(Instant.parse("2026-11-27T23:30:00Z")));
        assertTrue(fridayNight.isOpen(Instant.parse("2026-11-28T01:59:00Z")), "still Friday's window on Saturday");
        assertFalse(fridayNight.isOpen(Instant.parse("2026-11-28T02:00:00Z")));
        assertFalse(fridayNight.isOpen(Instant.parse("2026-11-26T23:30:00Z")), "Thursday night is not Friday's");
        assertEquals(
                Instant.parse("2026-11-27T22:00:00Z"), fridayNight.opensAfter(Instant.parse("2026-11-26T23:30:00Z")));
    }

    @Test
    void everyDayByDefault() {
        CutoverWindow nights = window(null, "01:00", "03:00", "UTC");
        assertEquals(Instant.parse("2026-11-28T01:00:00Z"), nights.opensAfter(Instant.parse("2026-11-27T12:00:00Z")));
        assertFalse(nights.refusesOutside(), "approvals outside it are deferred by default");
    }
}
