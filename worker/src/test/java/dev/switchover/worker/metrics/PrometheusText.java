package dev.switchover.worker.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The samples of a scrape in Prometheus text exposition format 0.0.4: {@code name{label="value",...}
 * value [timestamp]} lines, with {@code #} comments, escaped label values ({@code \\ \" \n}) and
 * the special values {@code NaN}, {@code +Inf}, {@code -Inf}. A line it cannot read is an error:
 * a test should not pass on a scrape it half understood.
 */
record PrometheusText(List<Sample> samples) {

    /** One line: a metric name, its labels in their order, and the value. */
    record Sample(String name, Map<String, String> labels, double value) {
        boolean has(Map<String, String> wanted) {
            return labels.entrySet().containsAll(wanted.entrySet());
        }

        @Override
        public String toString() {
            return name + labels + " " + value;
        }
    }

    static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            try {
                samples.add(new Reader(l).sample());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "line " + number + " is not a sample (" + e.getMessage() + "): " + line, e);
            }
        }
        return new PrometheusText(List.copyOf(samples));
    }

    /** The samples named {@code name} whose labels include every entry of {@code labels}. */
    List<Sample> all(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.has(labels))
                .toList();
    }

    /** The value of the one sample that matches; empty if none does, an error if several do. */
    Optional<Double> value(String name, Map<String, String> labels) {
        List<Sample> matches = all(name, labels);
        if (matches.size() > 1)
            throw new IllegalStateException("several samples match " + name + labels + ": " + matches);
        return matches.stream().findFirst().map(Sample::value);
    }

    private static final class Reader {
        private final String s;
        private int i;

        Reader(String line) {
            s = line;
        }

        Sample sample() {
            int start = i;
            while (i < s.length() && isNameChar(s.charAt(i), i == start)) i++;
            if (i == start) throw new IllegalArgumentException("no metric name");
            String name = s.substring(start, i);
            Map<String, String> labels = new LinkedHashMap<>();
            if (peek() == '{') {
                i++;
                while (true) {
                    skipSpaces();
                    if (peek() == '}') {
                        i++;
                        break;
                    }
                    int ls = i;
                    while (i < s.length() && isNameChar(s.charAt(i), i == ls) && s.charAt(i) != ':') i++;
                    if (i == ls) throw new IllegalArgumentException("no label name at " + i);
                    String label = s.substring(ls, i);
                    skipSpaces();
                    expect('=');
                    skipSpaces();
                    if (labels.put(label, quoted()) != null)
                        throw new IllegalArgumentException("label " + label + " twice");
                    skipSpaces();
                    if (peek() == ',') {
                        i++;
                    } else if (peek() != '}') {
                        throw new IllegalArgumentException("expected , or } at " + i);
                    }
                }
            }
            if (peek() != ' ' && peek() != '\t') throw new IllegalArgumentException("no space before the value");
            String[] rest = s.substring(i).strip().split("[ \t]+");
            if (rest.length > 2) throw new IllegalArgumentException("more than a value and a timestamp");
            if (rest.length == 2) Long.parseLong(rest[1]);
            return new Sample(name, Map.copyOf(labels), number(rest[0]));
        }

        private String quoted() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw new IllegalArgumentException("unterminated label value");
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) throw new IllegalArgumentException("dangling escape");
                char e = s.charAt(i++);
                switch (e) {
                    case '\\' -> b.append('\\');
                    case '"' -> b.append('"');
                    case 'n' -> b.append('\n');
                    default -> throw new IllegalArgumentException("unknown escape \\" + e);
                }
            }
        }

        private static double number(String v) {
            return switch (v) {
                case "NaN" -> Double.NaN;
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(v);
            };
        }

        private static boolean isNameChar(char c, boolean first) {
            return c == '_'
                    || c == ':'
                    || (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (!first && c >= '0' && c <= '9');
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private void skipSpaces() {
            while (peek() == ' ' || peek() == '\t') i++;
        }

        private void expect(char c) {
            if (peek() != c) throw new IllegalArgumentException("expected " + c + " at " + i);
            i++;
        }
    }
}
