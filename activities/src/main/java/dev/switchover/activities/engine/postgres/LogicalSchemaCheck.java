package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Logical replication carries rows, not schema: a table created on the source after the copy is
 * not in any subscription, and a column added there stops the subscription at the next row that
 * has it. Both sides' tables, columns and sequences are compared per moved database, and every
 * difference is named, so the catch-up waits (and the cutover is refused) until the change is
 * repeated on the target. Indexes are not compared: a missing one slows the target, it loses
 * nothing.
 */
final class LogicalSchemaCheck {
    private static final String OBJECTS = "SELECT n.nspname || '.' || c.relname || CASE WHEN c.relkind = 'S'"
            + " THEN ' (sequence)' ELSE '' END,"
            + " coalesce(string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum), '')"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND c.relkind IN ('r','p')"
            + " WHERE c.relkind IN ('r','p','S') AND c.relpersistence = 'p'"
            + " AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
            + " AND NOT c.relispartition GROUP BY 1";

    private final PgLogins logins;

    LogicalSchemaCheck(PgLogins logins) {
        this.logins = logins;
    }

    /** Every difference between the source's and the target's schema, in words; empty when they match. */
    List<String> differences(MigrationSpec spec, List<String> databases) {
        List<String> out = new ArrayList<>();
        for (String db : databases) {
            Map<String, String> source;
            try (PgSession s = logins.source(spec, db)) {
                source = objects(s);
            }
            Map<String, String> target;
            java.util.Set<String> subscribed = new TreeSet<>();
            try (PgSession t = logins.target(spec, db)) {
                target = objects(t);
                for (List<String> r : t.rows("SELECT n.nspname || '.' || c.relname FROM pg_subscription_rel s"
                        + " JOIN pg_class c ON c.oid = s.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace")) {
                    subscribed.add(r.get(0));
                }
            }
            for (Map.Entry<String, String> e : source.entrySet()) {
                String name = db + "." + e.getKey();
                if (!target.containsKey(e.getKey())) {
                    out.add(name + " exists on the source only: create it on the target"
                            + (e.getKey().endsWith("(sequence)")
                                    ? ""
                                    : " and run ALTER SUBSCRIPTION " + LogicalNames.subscription(spec)
                                            + " REFRESH PUBLICATION there"));
                } else if (!e.getValue().equals(target.get(e.getKey()))) {
                    out.add(name + " has columns (" + e.getValue() + ") on the source but (" + target.get(e.getKey())
                            + ") on the target: repeat the change on the target");
                } else if (!e.getKey().endsWith("(sequence)") && !subscribed.contains(e.getKey())) {
                    out.add(name + " is not in the subscription: run ALTER SUBSCRIPTION "
                            + LogicalNames.subscription(spec) + " REFRESH PUBLICATION on the target");
                }
            }
            for (String key : target.keySet()) {
                if (!source.containsKey(key)) out.add(db + "." + key + " exists on the target only");
            }
        }
        return out;
    }

    /**
     * The subscribed tables not yet in sync (a table added to the subscription by REFRESH
     * PUBLICATION copies its rows first): {@code db.schema.table (state)}, empty when all are.
     */
    List<String> notReady(MigrationSpec spec, List<String> databases) {
        List<String> out = new ArrayList<>();
        for (String db : databases) {
            try (PgSession t = logins.target(spec, db)) {
                for (List<String> r :
                        t.rows("SELECT n.nspname || '.' || c.relname, s.srsubstate FROM pg_subscription_rel s"
                                + " JOIN pg_class c ON c.oid = s.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE s.srsubstate NOT IN ('r', 's') ORDER BY 1")) {
                    out.add(db + "." + r.get(0) + " (" + STATES.getOrDefault(r.get(1), r.get(1)) + ")");
                }
            }
        }
        return out;
    }

    /** pg_subscription_rel's states, in words. */
    private static final Map<String, String> STATES =
            Map.of("i", "waiting to copy", "d", "copying its rows", "f", "rows copied, catching up");

    private static Map<String, String> objects(PgSession s) {
        Map<String, String> m = new TreeMap<>();
        for (List<String> r : s.rows(OBJECTS)) m.put(r.get(0), r.get(1));
        return m;
    }
}
