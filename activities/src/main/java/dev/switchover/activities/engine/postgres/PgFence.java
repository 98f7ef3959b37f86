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

    /**
     * The comment lines that open and close a block: the source's freeze, or the logical target's
     * closing until promotion. Their text is how a later step (or a later version of switchover)
     * finds the block, so it never changes.
     */
    record Marks(String begin, String end) {
        static Marks freeze(String migration) {
            return new Marks(PgFence.begin(migration), PgFence.end(migration));
        }

        /** A logical copy's target is a writable server: until promotion only switchover logs in. */
        static Marks closed(String migration) {
            return new Marks(
                    "# switchover-closed:" + migration + " begin: the migration's target takes no client logins"
                            + " until promotion; only switchover's own login passes. Removed at promotion.",
                    "# switchover-closed:" + migration + " end");
        }
    }

    /**
     * A door line as the block holds it: a login over the network with a password, or the cluster
     * owner's own on the host's socket (peer: the OS user is the role).
     */
    private static final String DOOR = "host(ssl)? \\S+ \\S+ \\S+ (scram-sha-256|md5)|local all \\S+ peer";

    static String begin(String migration) {
        return "# switchover-fence:" + migration + " begin: writes fenced for the cutover; only switchover's own"
                + " login and physical replication pass. Removed on rollback; kept on the old source after promotion.";
    }

    static String end(String migration) {
        return "# switchover-fence:" + migration + " end";
    }

    static List<String> block(String migration, AdminDoor admin) {
        return block(Marks.freeze(migration), admin, List.of());
    }

    /**
     * The block: the admin's door, then {@code doors} (whole pg_hba lines, such as a logical
     * subscription's login to its database, which "all" does match), then the rejects.
     */
    static List<String> block(Marks marks, AdminDoor admin, List<String> doors) {
        List<String> lines = new ArrayList<>();
        lines.add(marks.begin());
        lines.add(admin.line());
        lines.addAll(doors);
        lines.addAll(List.of("local all all reject", "host all all all reject", marks.end()));
        return lines;
    }

    static boolean isFenced(String content, String migration) {
        return isFenced(content, Marks.freeze(migration));
    }

    static boolean isFenced(String content, Marks marks) {
        List<String> lines = content.lines().toList();
        int at = lines.indexOf(marks.begin());
        if (at < 0 || !firstRuleIsOurs(lines, at)) return false;
        // Exactly our block: door lines (the admin's first), then the two rejects, then the end; an
        // edited block is no fence.
        int i = at + 1;
        while (i < lines.size() && lines.get(i).matches(DOOR)) i++;
        return i > at + 1
                && lines.get(at + 1).matches("host(ssl)? all \\S+ \\S+ (scram-sha-256|md5)")
                && i + 2 < lines.size()
                && lines.get(i).equals("local all all reject")
                && lines.get(i + 1).equals("host all all all reject")
                && lines.get(i + 2).equals(marks.end());
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
        return withFence(content, Marks.freeze(migration), admin, List.of());
    }

    static String withFence(String content, Marks marks, AdminDoor admin, List<String> doors) {
        List<String> lines =
                new ArrayList<>(withoutFence(content, marks).lines().toList());
        int first = 0;
        while (first < lines.size() && isCommentOrBlank(lines.get(first))) first++;
        lines.addAll(first, block(marks, admin, doors));
        return String.join("\n", lines) + "\n";
    }

    static String withoutFence(String content, String migration) {
        return withoutFence(content, Marks.freeze(migration));
    }

    /** The file without this migration's block (begin to end, both included); the rest untouched. */
    static String withoutFence(String content, Marks marks) {
        List<String> out = new ArrayList<>();
        boolean inside = false;
        for (String line : content.lines().toList()) {
            if (line.equals(marks.begin())) {
                inside = true;
                continue;
            }
            if (inside) {
                if (line.equals(marks.end())) inside = false;
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
