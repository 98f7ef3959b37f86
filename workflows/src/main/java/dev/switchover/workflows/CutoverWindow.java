package dev.switchover.workflows;

import dev.switchover.workflows.spec.CutoverWindowSpec;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * A validated {@link CutoverWindowSpec} as instants: whether it is open, and when it opens next.
 * Pure (the caller passes Workflow time), so the workflow may use it.
 */
public final class CutoverWindow {
    private final Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    private final LocalTime from;
    private final LocalTime to;
    private final ZoneId zone;
    private final boolean refuseOutside;
    private final String text;

    private CutoverWindow(CutoverWindowSpec spec) {
        for (String d : spec.days()) days.add(DayOfWeek.of(CutoverWindowSpec.WEEK.indexOf(d) + 1));
        from = LocalTime.parse(spec.from());
        to = LocalTime.parse(spec.to());
        zone = ZoneId.of(spec.timeZone());
        refuseOutside = CutoverWindowSpec.REFUSE.equals(spec.outside());
        text = String.join(",", spec.days()) + " " + spec.from() + "–" + spec.to() + " " + spec.timeZone();
    }

    /** The window of a completed spec, or null if it has none. */
    public static CutoverWindow of(CutoverWindowSpec spec) {
        return spec == null ? null : new CutoverWindow(spec);
    }

    public boolean isOpen(Instant now) {
        return !opensAfter(now).isAfter(now);
    }

    /** {@code now} if the window is open, else the next time it opens. */
    public Instant opensAfter(Instant now) {
        ZonedDateTime local = now.atZone(zone);
        Instant next = null;
        // From yesterday (a window across midnight may still be open) to a week and a day ahead.
        for (LocalDate day = local.toLocalDate().minusDays(1);
                !day.isAfter(local.toLocalDate().plusDays(8));
                day = day.plusDays(1)) {
            if (!days.contains(day.getDayOfWeek())) continue;
            Instant start = day.atTime(from).atZone(zone).toInstant();
            Instant end = (to.isAfter(from) ? day : day.plusDays(1))
                    .atTime(to)
                    .atZone(zone)
                    .toInstant();
            if (!start.isAfter(now) && now.isBefore(end)) return now;
            if (start.isAfter(now) && (next == null || start.isBefore(next))) next = start;
        }
        return next;
    }

    public boolean refusesOutside() {
        return refuseOutside;
    }

    /** The opening instant with its local time, e.g. "2026-11-28T01:00:00Z (02:00 Europe/Oslo)". */
    public String describeOpening(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        return at + " (" + local.getDayOfWeek().toString().substring(0, 3) + " " + local.toLocalTime() + " " + zone
                + ")";
    }

    @Override
    public String toString() {
        return text;
    }
}
