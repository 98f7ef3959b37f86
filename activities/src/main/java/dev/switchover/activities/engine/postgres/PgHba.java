package dev.switchover.activities.engine.postgres;

import java.util.ArrayList;
import java.util.List;

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
        List<String> lines = new ArrayList<>(content.lines().toList());
        int first = 0;
        while (first < lines.size() && isCommentOrBlank(lines.get(first))) first++;
        lines.add(first, rule(user, targetAddress));
        lines.add(first, marker(migration));
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

    private static List<String> tokens(String line) {
        String t = line.strip();
        int hash = t.indexOf('#');
        if (hash >= 0) t = t.substring(0, hash).strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }
}
