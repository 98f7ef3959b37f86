package dev.switchover.workflows.spec;

import java.util.List;

/**
 * When the business allows the cutover: on {@code days} (MON..SUN; default every day) from
 * {@code from} to {@code to} (HH:MM, local time in {@code timeZone}, an IANA zone; a window whose
 * {@code to} is earlier than its {@code from} ends the next day). An automatic cutover happens only
 * inside it; a manual approval given outside it is deferred to the window's opening, or, with
 * {@code outside: refuse}, refused.
 */
public record CutoverWindowSpec(List<String> days, String from, String to, String timeZone, String outside) {
    public static final String DEFER = "defer";
    public static final String REFUSE = "refuse";
    public static final List<String> WEEK = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");

    /** As a completed spec carries it: every day if none are given, days upper-case, defer. */
    public CutoverWindowSpec withDefaults() {
        return new CutoverWindowSpec(
                days == null || days.isEmpty()
                        ? WEEK
                        : days.stream()
                                .map(String::strip)
                                .map(d -> d.toUpperCase(java.util.Locale.ROOT))
                                .toList(),
                strip(from),
                strip(to),
                strip(timeZone),
                outside == null ? DEFER : outside.strip());
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }
}
