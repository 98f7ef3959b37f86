package dev.switchover.activities.engine.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one pg_hba.conf rule switchover adds: replication for its user from the target's address
 * alone with scram-sha-256, marked with a comment naming the migration so undo removes exactly it.
 * It goes before the first existing rule because pg_hba is first-match: appended, a broad reject
 * rule above it would shadow it.
 */
final class PgHba {
    private PgHba() {}

    static String marker(String migration) {
        return "# switchover:" + migration + " (added for the migration; removed when it is rolled back)";
    }

    static String rule(String user, String targetAddress) {
        return "host replication " + user + " " + onlyThe(targetAddress) + " scram-sha-256";
    }

    /**
     * Logical replication's rule: a subscription logs in to the database it copies, not to
     * "replication", so each database moved has a rule of its own.
     */
    static String databaseRule(String database, String user, String targetAddress) {
        return "host " + database(database) + " " + user + " " + onlyThe(targetAddress) + " scram-sha-256";
    }

    /** A database's name as pg_hba reads it: quoted where it is a keyword or not a plain word. */
    static String database(String name) {
        boolean keyword = List.of("all", "sameuser", "samerole", "samegroup", "replication")
                .contains(name);
        return keyword || !name.matches("[a-z0-9_]+") ? "\"" + name.replace("\"", "\"\"") + "\"" : name;
    }

    static boolean hasDatabaseRule(String content, String database, String user, String targetAddress) {
        List<String> wanted = tokens(databaseRule(database, user, targetAddress));
        return content.lines().map(PgHba::tokens).anyMatch(wanted::equals);
    }

    /** The file with our marker and this database's rule inserted before the first rule; unchanged if present. */
    static String withDatabaseRule(String content, String migration, String database, String user, String address) {
        if (hasDatabaseRule(content, database, user, address)) return content;
        return inserted(content, marker(migration), databaseRule(database, user, address));
    }

    /**
     * The file without any of our markers and the database rule for {@code user} from the target
     * right after each; as {@link #withoutRule}, a line after a marker that is not such a rule stays.
     */
    static String withoutDatabaseRules(String content, String migration, String user, String targetAddress) {
        List<String> out = new ArrayList<>();
        List<String> lines = content.lines().toList();
        String marker = marker(migration);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals(marker)) {
                if (i + 1 < lines.size() && isDatabaseRule(tokens(lines.get(i + 1)), user, targetAddress)) i++;
                continue;
            }
            out.add(lines.get(i));
        }
        return out.isEmpty() ? "" : String.join("\n", out) + "\n";
    }

    private static boolean isDatabaseRule(List<String> tokens, String user, String targetAddress) {
        List<String> any = tokens(databaseRule("x", user, targetAddress));
        return tokens.size() == any.size()
                && !tokens.get(1).equals("replication")
                && tokens.get(0).equals(any.get(0))
                && tokens.subList(2, tokens.size()).equals(any.subList(2, any.size()));
    }

    /**
     * The target and nothing else: /32 for IPv4, /128 for IPv6 (a /32 there would admit a whole
     * provider's range). A host name takes no mask in pg_hba; it stands for itself.
     */
    static String onlyThe(String address) {
        if (address.indexOf(':') >= 0) return address + "/128";
        if (address.matches("[0-9.]+")) return address + "/32";
        return address;
    }

    /** Whether the file already holds our rule, in whatever spacing. */
    static boolean hasRule(String content, String user, String targetAddress) {
        List<String> wanted = tokens(rule(user, targetAddress));
        return content.lines().map(PgHba::tokens).anyMatch(wanted::equals);
    }

    /** The file with our marker and rule inserted before the first rule; unchanged if present. */
    static String withRule(String content, String migration, String user, String targetAddress) {
        if (hasRule(content, user, targetAddress)) return content;
        return inserted(content, marker(migration), rule(user, targetAddress));
    }

    private static String inserted(String content, String marker, String rule) {
        List<String> lines = new ArrayList<>(content.lines().toList());
        int first = 0;
        // Before an earlier marker of ours too: each marker must stay right above its own rule.
        while (first < lines.size()
                && isCommentOrBlank(lines.get(first))
                && !lines.get(first).equals(marker)) first++;
        lines.add(first, rule);
        lines.add(first, marker);
        return String.join("\n", lines) + "\n";
    }

    /**
     * The file without our marker and the rule right after it. A line after the marker that is not
     * our rule (someone edited the file) stays: it is not ours to remove.
     */
    static String withoutRule(String content, String migration, String user, String targetAddress) {
        List<String> out = new ArrayList<>();
        List<String> lines = content.lines().toList();
        String marker = marker(migration);
        List<String> wanted = tokens(rule(user, targetAddress));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals(marker)) {
                if (i + 1 < lines.size() && tokens(lines.get(i + 1)).equals(wanted)) i++;
                continue;
            }
            out.add(lines.get(i));
        }
        return out.isEmpty() ? "" : String.join("\n", out) + "\n";
    }

    static boolean hasMarker(String content, String migration) {
        return content.lines().anyMatch(marker(migration)::equals);
    }

    private static boolean isCommentOrBlank(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }

    /** A quoted name (which may hold spaces and #), a plain word, or the comment that ends the line. */
    private static final Pattern TOKEN = Pattern.compile("\"(?:[^\"]|\"\")*\"|[^\\s\"#]+|#.*");

    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(line);
        while (m.find() && !m.group().startsWith("#")) out.add(m.group());
        return out;
    }
}
