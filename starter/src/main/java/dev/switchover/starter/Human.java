package dev.switchover.starter;

import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.spec.DurationText;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Numbers, times and tables as an operator reads them. Times are in the machine's local zone. */
final class Human {
    static final ZoneId ZONE = ZoneId.systemDefault();
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZONE);
    private static final Pattern INSTANT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z");
    private static final DateTimeFormatter DATE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZONE);

    private Human() {}

    /** "1.2 MiB"; binary units, as the engines and the workflow report them. */
    static String bytes(long n) {
        return dev.switchover.workflows.status.ByteSize.human(n);
    }

    /** "1m30s"; tenths of a second under a minute, whole seconds above, where less is noise. */
    static String duration(Duration d) {
        if (d == null) return "";
        if (d.isNegative()) d = Duration.ZERO;
        // A server's retry interval has nanoseconds ("PT0.217769081S" if printed as is): milliseconds do.
        if (d.compareTo(Duration.ofSeconds(1)) < 0) return d.toMillis() + "ms";
        if (d.compareTo(Duration.ofMinutes(1)) < 0) {
            long tenths = d.toMillis() / 100;
            return tenths % 10 == 0 ? tenths / 10 + "s" : String.format(Locale.ROOT, "%.1fs", tenths / 10.0);
        }
        return DurationText.format(d.truncatedTo(ChronoUnit.SECONDS));
    }

    /** "12:01:03", local time. */
    static String clock(Instant at) {
        return at == null ? "" : CLOCK.format(at);
    }

    /** "2024-05-01 12:01:03", local time. */
    static String dateTime(Instant at) {
        return at == null ? "" : DATE_TIME.format(at);
    }

    /** "CET (Europe/Berlin)" or "UTC", said once above tables of local times. */
    static String zone() {
        String name = ZONE.getDisplayName(TextStyle.SHORT, Locale.ROOT);
        return ZONE.getId().endsWith(name) ? name : name + " (" + ZONE.getId() + ")";
    }

    /** The workflow writes instants as ISO-8601 UTC inside its texts; the operator reads local time. */
    static String localTimes(String text) {
        if (text == null) return "";
        return INSTANT.matcher(text).replaceAll(m -> {
            try {
                return Matcher.quoteReplacement(dateTime(Instant.parse(m.group())));
            } catch (DateTimeParseException e) {
                return Matcher.quoteReplacement(m.group());
            }
        });
    }

    /** Lag in the workflow's words: "lag 1.2 MiB / 0.4 s", or why there is no number. */
    static String lag(LagSample s) {
        if (s == null) return "not measured yet";
        if (!s.streaming()) return "the target is not streaming (" + s.state() + ")";
        return String.format(Locale.ROOT, "lag %s / %.1f s", bytes(s.lagBytes()), s.lagSeconds());
    }

    /** "35% (1.2 GiB of 3.4 GiB, stage)". */
    static String copy(CopyProgress c) {
        if (c == null) return "";
        String amount = c.totalBytes() > 0
                ? String.format(
                        Locale.ROOT, "%.0f%% (%s of %s", c.percent(), bytes(c.doneBytes()), bytes(c.totalBytes()))
                : "size not estimated yet (" + bytes(c.doneBytes()) + " copied";
        return amount + (c.stage() == null || c.stage().isBlank() ? ")" : ", " + c.stage() + ")");
    }

    /** A left-aligned table, columns two spaces apart; the last column is not padded. */
    static String table(List<String> headers, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        int[] width = new int[headers.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++)
                width[i] = Math.max(width[i], nullToEmpty(row.get(i)).length());
        }
        StringBuilder b = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = nullToEmpty(row.get(i));
                line.append(i == row.size() - 1 ? cell : pad(cell, width[i] + 2));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
