package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.RemoteHost;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The fence's logins: every account that could write to the source is locked (ACCOUNT LOCK) for
 * the cutover, so no client gets back in, whatever its privileges (an administrator's ALL
 * PRIVILEGES includes MariaDB's READ ONLY ADMIN and MySQL's SUPER). Exempt: switchover's own
 * admin, the replication account, the server's built-in accounts on its own host and accounts
 * already locked.
 *
 * <p>What switchover locks is listed in a file beside the source's data before the first lock,
 * so that undo unlocks exactly those accounts even after a worker died halfway. A file, not a
 * table: a table would be replicated to the target. Locks and unlocks stay out of the binary log
 * too (sql_log_bin = 0): the target is the next primary and keeps its accounts open.
 */
final class FenceAccounts {
    private final Dialect dialect;
    private final RemoteHost host;
    private final String replicationUser;
    private final String migration;
    /** Further accounts, user@host, never locked (on the target: the local login the copy loads through). */
    private final Set<String> alsoExempt;

    FenceAccounts(Dialect dialect, RemoteHost host, String replicationUser, String migration) {
        this(dialect, host, replicationUser, migration, Set.of());
    }

    /** {@code replicationUser} may be null: on the target no account replicates. */
    FenceAccounts(Dialect dialect, RemoteHost host, String replicationUser, String migration, Set<String> alsoExempt) {
        this.dialect = dialect;
        this.host = host;
        this.replicationUser = replicationUser;
        this.migration = migration;
        this.alsoExempt = Set.copyOf(alsoExempt);
    }

    /**
     * The built-in accounts log in from the server's own host only; a 'root'@'%' is somebody's
     * everyday account and is locked like any other.
     */
    private static final List<String> LOCAL = List.of("localhost", "127.0.0.1", "::1");

    /** A login, 'user'@'host'. */
    record Account(String user, String host) {
        String sql() {
            return MySqlSession.literal(user) + "@" + MySqlSession.literal(host);
        }

        @Override
        public String toString() {
            return user + "@" + host;
        }
    }

    /** Accounts that may log in and are not exempt: empty while the fence holds. */
    List<Account> open(MySqlSession s) {
        String self = s.one("SELECT CURRENT_USER()");
        return s.rows(dialect.openAccountsQuery()).stream()
                .map(r -> new Account(r.get(0), r.get(1)))
                .filter(a -> !a.toString().equals(self))
                .filter(a -> !a.user().equals(replicationUser))
                .filter(a -> !alsoExempt.contains(a.toString()))
                .filter(a -> !(MySqlEngine.SYSTEM_ACCOUNTS.contains(a.user()) && LOCAL.contains(a.host())))
                .toList();
    }

    /**
     * Locks every open account, recording it first. A second run finds them locked and keeps the
     * record, adding only accounts that appeared since.
     */
    List<Account> lock(MySqlSession s) {
        List<Account> toLock = open(s);
        String file = record(s);
        Set<Account> all = new LinkedHashSet<>(recorded(file));
        all.addAll(toLock);
        if (!toLock.isEmpty() || !host.exists(file)) write(file, all);
        if (toLock.isEmpty()) return List.copyOf(all);
        alter(s, toLock, "ALTER USER ", " ACCOUNT LOCK");
        return List.copyOf(all);
    }

    /**
     * Runs one ALTER USER per account outside the binary log. Accounts cannot be changed under
     * MySQL's super_read_only (a replica, a frozen source), so it is lowered for the statements
     * only; read_only stays on meanwhile.
     */
    private void alter(MySqlSession s, List<Account> accounts, String head, String tail) {
        s.execute("SET SESSION sql_log_bin = 0");
        boolean superReadOnly = dialect.superReadOnly(s);
        if (superReadOnly) s.execute("SET GLOBAL super_read_only = OFF");
        try {
            for (Account a : accounts) s.execute(head + a.sql() + tail);
        } finally {
            if (superReadOnly) s.execute("SET GLOBAL super_read_only = ON");
        }
    }

    /** Unlocks what {@link #lock} recorded, and only that, then forgets the record. Idempotent. */
    List<Account> unlock(MySqlSession s) {
        String file = record(s);
        if (!host.exists(file)) return List.of();
        List<Account> locked = recorded(file);
        alter(s, locked, "ALTER USER IF EXISTS ", " ACCOUNT UNLOCK");
        host.run(Command.of("rm", "-f", "--", file)).orThrow("removing " + file);
        return locked;
    }

    private String record(MySqlSession s) {
        return s.one("SELECT @@datadir").replaceAll("/+$", "") + "/.switchover-locked-" + migration;
    }

    /** The accounts switchover locked, as recorded on the source; empty if it locked none. */
    private List<Account> recorded(String file) {
        if (!host.exists(file)) return List.of();
        List<Account> out = new ArrayList<>();
        for (String line : host.readFile(file).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            out.add(parse(line.strip()));
        }
        return out;
    }

    private void write(String file, Set<Account> accounts) {
        StringBuilder b = new StringBuilder(
                "# Accounts switchover locked on this server for the cutover of migration " + migration
                        + ".\n# Undo unlocks exactly these (ALTER USER ... ACCOUNT UNLOCK) and deletes this file.\n");
        for (Account a : accounts) b.append(a.sql()).append('\n');
        host.writeFile(file, b.toString(), "0600", null);
    }

    /** Reads back a line {@link Account#sql} wrote: 'user'@'host', quotes doubled, backslashes escaped. */
    static Account parse(String line) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (parts.size() < 2) {
            if (i >= line.length() || line.charAt(i) != '\'')
                throw new IllegalArgumentException("not an account: " + line);
            StringBuilder b = new StringBuilder();
            for (i++; ; i++) {
                if (i >= line.length()) throw new IllegalArgumentException("not an account: " + line);
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    b.append(line.charAt(++i));
                } else if (c == '\'' && i + 1 < line.length() && line.charAt(i + 1) == '\'') {
                    b.append('\'');
                    i++;
                } else if (c == '\'') {
                    i++;
                    break;
                } else {
                    b.append(c);
                }
            }
            parts.add(b.toString());
            if (parts.size() == 1) {
                if (i >= line.length() || line.charAt(i) != '@')
                    throw new IllegalArgumentException("not an account: " + line);
                i++;
            }
        }
        if (i != line.length()) throw new IllegalArgumentException("not an account: " + line);
        return new Account(parts.get(0), parts.get(1));
    }
}
