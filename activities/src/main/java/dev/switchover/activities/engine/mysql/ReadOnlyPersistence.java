package dev.switchover.activities.engine.mysql;

import java.util.List;

/**
 * What keeps a fenced source read-only across a restart of its server, beside read_only itself:
 * MySQL's SET PERSIST ({@link PersistedReadOnly}), or, since MariaDB cannot persist a setting
 * from SQL, a drop-in file in its configuration ({@link ReadOnlyDropIn}).
 */
interface ReadOnlyPersistence {
    /** Before read_only goes on, so a server restarted meanwhile comes back read-only. */
    void keep();

    /** Before read_only goes off: takes back what {@link #keep} left. Idempotent. */
    void forget();

    /** What beside read_only lets the server take writes now or after a restart; empty when nothing does. */
    List<String> gaps(MySqlSession s);
}
