package dev.switchover.workflows.spec;

import static dev.switchover.workflows.spec.FieldChecks.isBlank;

import java.time.Duration;

/**
 * When the target counts as caught up (catchUp) and how the cutover runs (cutover: its approval,
 * hooks, timeouts and window). Durations are compared as they will run, the defaults included.
 */
record CutoverChecks(FieldChecks check) {
    void catchUp(CatchUpSpec catchUp) {
        if (catchUp == null) return;
        if (catchUp.maxRetainedBytes() != null && catchUp.maxRetainedBytes() <= 0) {
            check.add(
                    "catchUp.maxRetainedBytes",
                    catchUp.maxRetainedBytes() + " is not a size; write how many bytes of WAL the"
                            + " slot may hold back on the source, e.g. 21474836480 (20 GiB), or leave it out");
        }
        if (catchUp.maxRetainedPercent() != null
                && (catchUp.maxRetainedPercent() < 1 || catchUp.maxRetainedPercent() > 90)) {
            check.add(
                    "catchUp.maxRetainedPercent",
                    catchUp.maxRetainedPercent() + " is outside 1-90; write the share of the"
                            + " source's free WAL space the slot may fill, e.g. 50");
        }
        if (catchUp.maxLagBytes() != null && catchUp.maxLagBytes() < 0) {
            check.add(
                    "catchUp.maxLagBytes",
                    catchUp.maxLagBytes() + " is negative; write how many bytes behind"
                            + " the target may be, e.g. 1048576 (1 MiB), or 0 to require no lag");
        }
        Double seconds = catchUp.maxLagSeconds();
        if (seconds != null && !(seconds >= 0 && seconds < Double.POSITIVE_INFINITY)) {
            check.add(
                    "catchUp.maxLagSeconds",
                    seconds + " is not a lag; write how many seconds behind the target"
                            + " may be, e.g. 1.0, or 0 to require no lag");
        }
        boolean holdOk = check.positive("catchUp.holdFor", catchUp.holdFor());
        boolean deadlineOk = check.positive("catchUp.deadline", catchUp.deadline());
        boolean pollOk = check.positive("catchUp.pollEvery", catchUp.pollEvery());
        // The defaults take part: a deadline of 10s alone is shorter than the default holdFor of 30s.
        CatchUpSpec effective = catchUp.withDefaults();
        if (holdOk && deadlineOk && effective.holdFor().compareTo(effective.deadline()) >= 0) {
            check.add(
                    "catchUp.holdFor",
                    shown(catchUp.holdFor(), effective.holdFor()) + " is not shorter than deadline ("
                            + inParentheses(catchUp.deadline(), effective.deadline())
                            + "), so the target could never count"
                            + " as caught up; shorten holdFor or lengthen deadline");
        }
        if (holdOk && pollOk && effective.pollEvery().compareTo(effective.holdFor()) > 0) {
            check.add(
                    "catchUp.pollEvery",
                    shown(catchUp.pollEvery(), effective.pollEvery()) + " is longer than holdFor ("
                            + inParentheses(catchUp.holdFor(), effective.holdFor())
                            + "), so a lag spike could go unseen;"
                            + " poll more often or hold for longer");
        }
    }

    void cutover(CutoverSpec cutover) {
        if (cutover == null) return;
        check.positive("cutover.approvalValidFor", cutover.approvalValidFor());
        check.hook("cutover.stopApplication", cutover.stopApplication());
        check.hook("cutover.resumeApplication", cutover.resumeApplication());
        check.positive("cutover.syncTimeout", cutover.syncTimeout());
        check.positive("cutover.freezeTimeout", cutover.freezeTimeout());
        if (cutover.freezeTimeout() != null && cutover.freezeTimeout().compareTo(java.time.Duration.ofMinutes(5)) > 0) {
            check.add(
                    "cutover.freezeTimeout",
                    DurationText.format(cutover.freezeTimeout()) + " is longer than 5m: every write waits"
                            + " for the freeze while it lasts; a few seconds is enough for a source without long write statements");
        }
        window(cutover.window());
    }

    private void window(CutoverWindowSpec w) {
        if (w == null) return;
        if (w.days() != null) {
            for (String d : w.days()) {
                if (d == null || !CutoverWindowSpec.WEEK.contains(d.strip().toUpperCase(java.util.Locale.ROOT))) {
                    check.add(
                            "cutover.window.days",
                            "'" + d + "' is not a day; write days as " + String.join(", ", CutoverWindowSpec.WEEK));
                }
            }
        }
        boolean fromOk = clock("cutover.window.from", w.from());
        boolean toOk = clock("cutover.window.to", w.to());
        if (fromOk && toOk && w.from().strip().equals(w.to().strip())) {
            check.add("cutover.window.to", "is the same time as from, so the window would never be open; give its end");
        }
        if (isBlank(w.timeZone())) {
            check.add(
                    "cutover.window.timeZone",
                    "is required; write the IANA time zone the hours are in, e.g. Europe/Oslo or UTC");
        } else {
            try {
                java.time.ZoneId.of(w.timeZone().strip());
            } catch (java.time.DateTimeException e) {
                check.add(
                        "cutover.window.timeZone",
                        "'" + w.timeZone() + "' is not a time zone; write an IANA name such as"
                                + " Europe/Oslo or UTC");
            }
        }
        if (w.outside() != null
                && !w.outside().equals(CutoverWindowSpec.DEFER)
                && !w.outside().equals(CutoverWindowSpec.REFUSE)) {
            check.add(
                    "cutover.window.outside",
                    "'" + w.outside() + "' is not a choice; write defer (an approval outside the"
                            + " window waits for it to open) or refuse");
        }
    }

    /** A time of day as HH:MM. */
    private boolean clock(String field, String value) {
        if (isBlank(value)) {
            check.add(field, "is required; write a time of day as HH:MM, e.g. 02:00");
            return false;
        }
        if (!value.strip().matches("([01][0-9]|2[0-3]):[0-5][0-9]")) {
            check.add(field, "'" + value + "' is not a time of day; write it as HH:MM, 00:00 to 23:59, e.g. 02:00");
            return false;
        }
        return true;
    }

    private static String shown(Duration given, Duration effective) {
        return DurationText.format(effective) + (given == null ? " (the default)" : "");
    }

    private static String inParentheses(Duration given, Duration effective) {
        return DurationText.format(effective) + (given == null ? ", the default" : "");
    }
}
