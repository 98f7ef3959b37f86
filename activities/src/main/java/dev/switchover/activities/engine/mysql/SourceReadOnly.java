package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.ssh.RemoteHost;
import java.util.ArrayList;
import java.util.List;

/**
 * The source's read_only, kept across a restart of its server: MySQL by SET PERSIST (read_only
 * and super_read_only, which binds SUPER too); MariaDB, which cannot persist a setting from SQL,
 * by a drop-in file in the last directory its configuration includes, proved read with
 * my_print_defaults before it is relied on ({@link ReadOnlyPersistence}).
 */
final class SourceReadOnly {
    private final Dialect dialect;
    private final ReadOnlyPersistence persistence;

    SourceReadOnly(Dialect dialect, RemoteHost host, String migration, String address) {
        this.dialect = dialect;
        this.persistence = dialect.readOnlyPersistence(host, migration, address);
    }

    /**
     * Turns read_only on, with {@code bounded} running the statements that wait for running writes.
     * MariaDB's drop-in is written first, so a server restarted meanwhile comes back read-only.
     * False if a statement gave up waiting.
     */
    boolean on(MySqlSession s, LockWait bounded) {
        persistence.keep();
        for (String sql : dialect.readOnlyStatements()) {
            if (!bounded.run(s, sql)) return false;
        }
        return true;
    }

    /** Takes back {@link #on}, what it persisted included. Idempotent. */
    void off(MySqlSession s) {
        persistence.forget();
        for (String sql : dialect.writableStatements()) s.execute(sql);
    }

    /** What keeps the source from refusing writes now or after a restart; empty when nothing does. */
    List<String> gaps(MySqlSession s) {
        List<String> gaps = new ArrayList<>();
        if (!"1".equals(s.one("SELECT @@GLOBAL.read_only"))) gaps.add("read_only is OFF");
        gaps.addAll(persistence.gaps(s));
        return gaps;
    }
}
