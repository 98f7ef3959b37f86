package dev.switchover.workflows.spec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in a spec ("90s", "5m", "1h30m", "250ms") as well as ISO-8601
 * ("PT30S"). The same text form is used in the workflow's input so the Temporal UI shows "30s"
 * rather than a float of seconds.
 */
public final class DurationText {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(\\d+(ms|s|m|h|d))+");

    private DurationText() {}

    /** Parses a duration, or throws IllegalArgumentException with the accepted forms. */
    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("pt") || t.startsWith("p")) {
            try {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw invalid(text);
            }
        }
        if (!WHOLE.matcher(t).matches()) throw invalid(text);
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(t);
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(
                        switch (m.group(2)) {
                            case "ms" -> Duration.ofMillis(n);
                            case "s" -> Duration.ofSeconds(n);
                            case "m" -> Duration.ofMinutes(n);
                            case "h" -> Duration.ofHours(n);
                            default -> Duration.ofDays(n);
                        });
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration; write a shorter one");
        }
        return total;
    }

    /** The shortest human form: 90s becomes "1m30s". */
    public static String format(Duration d) {
        if (d.isZero()) return "0s";
        // The short form has no sign and no unit below a millisecond; ISO-8601 keeps those exact.
        if (d.isNegative() || d.getNano() % 1_000_000 != 0 || d.getSeconds() >= Long.MAX_VALUE / 1000) {
            return d.toString();
        }
        StringBuilder b = new StringBuilder();
        long ms = d.toMillis();
        long days = ms / 86_400_000L;
        ms %= 86_400_000L;
        long h = ms / 3_600_000L;
        ms %= 3_600_000L;
        long m = ms / 60_000L;
        ms %= 60_000L;
        long s = ms / 1000L;
        ms %= 1000L;
        if (days > 0) b.append(days).append('d');
        if (h > 0) b.append(h).append('h');
        if (m > 0) b.append(m).append('m');
        if (s > 0) b.append(s).append('s');
        if (ms > 0) b.append(ms).append("ms");
        return b.toString();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "'" + text + "' is not a duration; write it like 30s, 5m, 1h30m, 250ms or PT30S");
    }

    public static final class Serializer extends JsonSerializer<Duration> {
        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(format(value));
        }
    }

    public static final class Deserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken().isNumeric()) return Duration.ofMillis(Math.round(p.getDoubleValue() * 1000));
            try {
                return parse(p.getValueAsString());
            } catch (IllegalArgumentException e) {
                throw ctxt.weirdStringException(p.getValueAsString(), Duration.class, e.getMessage());
            }
        }
    }
}
