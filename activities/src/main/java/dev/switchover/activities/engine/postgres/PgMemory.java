package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Memory;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;

/** The final checklist's memory rows: the new primary's shared_buffers and effective_cache_size against the target's RAM. */
final class PgMemory {
    private final PgLogins logins;

    PgMemory(PgLogins logins) {
        this.logins = logins;
    }

    List<Check> memoryChecks(MigrationSpec spec) {
        long ram = Memory.totalBytes(logins.ssh(spec.target()));
        try (PgSession t = logins.target(spec, true)) {
            long shared = Long.parseLong(t.one("SELECT pg_size_bytes(current_setting('shared_buffers'))"));
            long cache = Long.parseLong(t.one("SELECT pg_size_bytes(current_setting('effective_cache_size'))"));
            return List.of(
                    Memory.judge("shared_buffers", shared, ram, 0.15, 0.40, ram / 4),
                    Memory.judge("effective_cache_size", cache, ram, 0.50, 0.90, ram * 3 / 4));
        }
    }
}
