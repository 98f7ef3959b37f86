package dev.switchover.activities.traffic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One database's line in the {@code [databases]} section of a pgbouncer.ini, and the same file
 * with that line pointed elsewhere. Everything else in the file, comments included, stays as it
 * was. Connection strings with quoted values are refused rather than guessed at.
 */
final class PgBouncerIni {
    private static final Pattern SECTION = Pattern.compile("^\\s*\\[([^]]+)]\\s*$");
    private static final Pattern ENTRY = Pattern.compile("^(\\s*)(\"?)([^=\"]+?)\\2\\s*=\\s*(.*?)\\s*$");

    /** The database's connection string, as key → value in the order written. */
    record Entry(int line, String indent, String name, Map<String, String> params) {
        String host() {
            return params.getOrDefault("host", "");
        }

        String port() {
            return params.getOrDefault("port", "5432");
        }
    }

    private final List<String> lines;

    PgBouncerIni(String text) {
        this.lines = List.of(text.split("\n", -1));
    }

    /** The database's line in [databases], or null if the file has none. */
    Entry entry(String database) {
        boolean inDatabases = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher section = SECTION.matcher(line);
            if (section.matches()) {
                inDatabases = section.group(1).trim().toLowerCase(Locale.ROOT).equals("databases");
                continue;
            }
            String trimmed = line.strip();
            if (!inDatabases || trimmed.isEmpty() || trimmed.startsWith(";") || trimmed.startsWith("#")) continue;
            Matcher m = ENTRY.matcher(line);
            if (m.matches() && m.group(3).strip().equals(database)) {
                return new Entry(i, m.group(1), m.group(3).strip(), params(m.group(4), database));
            }
        }
        return null;
    }

    /** The whole file with the database's host and port replaced; the line must exist. */
    String pointedAt(String database, String host, int port) {
        Entry e = entry(database);
        if (e == null) throw new IllegalArgumentException("no [databases] line for " + database);
        Map<String, String> params = new LinkedHashMap<>(e.params());
        params.put("host", host);
        params.put("port", Integer.toString(port));
        StringBuilder value = new StringBuilder();
        params.forEach((k, v) -> value.append(value.length() == 0 ? "" : " ")
                .append(k)
                .append('=')
                .append(v));
        List<String> out = new ArrayList<>(lines);
        out.set(e.line(), e.indent() + e.name() + " = " + value);
        return String.join("\n", out);
    }

    private static Map<String, String> params(String connect, String database) {
        if (connect.indexOf('\'') >= 0) {
            throw new IllegalStateException("the [databases] line for " + database + " quotes a value ('...');"
                    + " switchover does not rewrite quoted connection strings. Write it without quotes or switch traffic"
                    + " by hand (traffic.type: command).");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String word : connect.split("\\s+")) {
            if (word.isEmpty()) continue;
            int eq = word.indexOf('=');
            if (eq <= 0)
                throw new IllegalStateException(
                        "cannot read the [databases] line for " + database + ": '" + word + "'");
            params.put(word.substring(0, eq).toLowerCase(Locale.ROOT), word.substring(eq + 1));
        }
        return params;
    }
}
