package dev.switchover.activities.engine.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * The lines of pg_hba.conf that fence the source from the freeze until the migration ends. The
 * read-only default alone is no fence: any session may turn it off for itself ({@code BEGIN READ
 * WRITE}, {@code SET default_transaction_read_only = off}, {@code PGOPTIONS}), and a superuser may
 * undo it. A login refused by pg_hba is refused to every role, superusers included, and the file
 * outlives a restart of the server. Only two doors stay open: physical replication (the "all"
 * keyword does not match it, and a walsender cannot write a table), so the target keeps streaming;
 * and switchover's own admin login from the worker's address, which later steps need to prove the
 * fence and to take it down on a rollback. The block goes first: pg_hba is first-match.
 */
final class PgFence {
    private PgFence() {}

    /** Where the worker's admin session comes from and how it authenticates, as the fence lets it in. */
    record AdminDoor(String user, String address, boolean ssl, String method) {
        String line() {
            return (ssl ? "hostssl" : "host") + " all " + user + " " + PgHba.onlyThe(address) + " " + method;
        }
    }

    static String begin(String migration) {
        return "# switchover-fence:" + migration + " begin: writes fenced for the cutover; only switchover's own"
                + " login and physical replication pass. Removed on rollback; kept on the old source after promotion.";
    }

    static String end(String migration) {
        return "# switchover-fence:" + migration + " end";
    }

    static List<String> block(String migration, AdminDoor admin) {
        return List.of(
                begin(migration), admin.line(), "local all all reject", "host all all all reject", end(migration));
    }

    static boolean isFenced(String content, String migration) {
        List<String> lines = content.lines().toList();
        int at = lines.indexOf(begin(migration));
        if (at < 0 || at + 4 >= lines.size() || !firstRuleIsOurs(lines, at)) return false;
        // Exactly our block: one admin line, then the two rejects, then the end; an edited block is no fence.
        return lines.get(at + 1).matches("host(ssl)? all \\S+ \\S+ (scram-sha-256|md5)")
                && lines.get(at + 2).equals("local all all reject")
                && lines.get(at + 3).equals("host all all all reject")
                && lines.get(at + 4).equals(end(migration));
    }

    /**
     * Rules above the block would be matched first and could let a login through. Only comments and
     * blank lines may precede it.
     */
    private static boolean firstRuleIsOurs(List<String> lines, int begin) {
        for (int i = 0; i < begin; i++) {
            if (!isCommentOrBlank(lines.get(i))) return false;
        }
        return true;
    }

    /** The file with the fence block first; an older block of this migration is replaced. */
    static String withFence(String content, String migration, AdminDoor admin) {
        List<String> lines =
                new ArrayList<>(withoutFence(content, migration).lines().toList());
        int first = 0;
        while (first < lines.size() && isCommentOrBlank(lines.get(first))) first++;
        lines.addAll(first, block(migration, admin));
        return String.join("\n", lines) + "\n";
    }

    /** The file without this migration's block (begin to end, both included); the rest untouched. */
    static String withoutFence(String content, String migration) {
        List<String> out = new ArrayList<>();
        boolean inside = false;
        for (String line : content.lines().toList()) {
            if (line.equals(begin(migration))) {
                inside = true;
                continue;
            }
            if (inside) {
                if (line.equals(end(migration))) inside = false;
                continue;
            }
            out.add(line);
        }
        return out.isEmpty() ? "" : String.join("\n", out) + "\n";
    }

    private static boolean isCommentOrBlank(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }
}
