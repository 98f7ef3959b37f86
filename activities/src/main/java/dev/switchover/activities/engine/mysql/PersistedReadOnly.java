package dev.switchover.activities.engine.mysql;

import java.util.ArrayList;
import java.util.List;

/**
 * MySQL's read_only across a restart: the fence's own statements persist read_only and
 * super_read_only (SET PERSIST, which binds SUPER too) and reset them (RESET PERSIST), so there
 * is nothing to keep or forget beside them; only the proof reads what the server persisted.
 */
final class PersistedReadOnly implements ReadOnlyPersistence {
    @Override
    public void keep() {
        // SET PERSIST in Dialect.readOnlyStatements
    }

    @Override
    public void forget() {
        // RESET PERSIST in Dialect.writableStatements
    }

    @Override
    public List<String> gaps(MySqlSession s) {
        List<String> gaps = new ArrayList<>();
        if (!"1".equals(s.one("SELECT @@GLOBAL.super_read_only"))) gaps.add("super_read_only is OFF");
        if (!"1".equals(s.one("SELECT @@GLOBAL.persisted_globals_load"))) {
            gaps.add("persisted_globals_load is OFF (a restart ignores SET PERSIST)");
        }
        for (String v : List.of("read_only", "super_read_only")) {
            String persisted = s.one(
                    "SELECT variable_value FROM performance_schema.persisted_variables" + " WHERE variable_name = ?",
                    v);
            if (!"ON".equalsIgnoreCase(persisted) && !"1".equals(persisted)) {
                gaps.add(v + " is not persisted ON (" + (persisted == null ? "not persisted" : persisted) + ")");
            }
        }
        return gaps;
    }
}
