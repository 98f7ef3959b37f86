package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;

/**
 * Logical replication does not carry sequences: the target's stay where the schema copy left
 * them. Once the source is frozen, each is set on the target to at least the source's value, so
 * the application's first nextval() on the new primary does not hand out an id already used.
 * Idempotent, and never moves a sequence backwards.
 */
final class LogicalSequences {
    private final PgLogins logins;

    LogicalSequences(PgLogins logins) {
        this.logins = logins;
    }

    /** Returns how many sequences were set. */
    int copy(MigrationSpec spec, List<String> databases) {
        int set = 0;
        for (String db : databases) {
            List<List<String>> values;
            try (PgSession d = logins.source(spec, db)) {
                values = d.rows("SELECT schemaname, sequencename, last_value::text FROM pg_sequences"
                        + " WHERE last_value IS NOT NULL");
            }
            if (values.isEmpty()) continue;
            try (PgSession t = logins.target(spec, db)) {
                for (List<String> v : values) {
                    t.execute(
                            "SELECT setval(format('%I.%I', ?::text, ?::text), greatest(?::bigint, coalesce((SELECT"
                                    + " last_value FROM pg_sequences WHERE schemaname = ? AND sequencename = ?), 0)), true)",
                            v.get(0), v.get(1), v.get(2), v.get(0), v.get(1));
                    set++;
                }
            }
        }
        return set;
    }

    /** As {@link #copy}, or -1 when the source cannot be reached (promotion without the source). */
    int copyIfReachable(MigrationSpec spec, List<String> databases) {
        try {
            return copy(spec, databases);
        } catch (RuntimeException e) {
            if (PgSession.unreachable(e)) return -1;
            throw e;
        }
    }
}
