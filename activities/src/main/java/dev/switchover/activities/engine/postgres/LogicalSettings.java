package dev.switchover.activities.engine.postgres;

import dev.switchover.workflows.activities.SettingChange;
import java.util.ArrayList;
import java.util.List;

/**
 * The source settings logical replication needs: wal_level = logical (the WAL must carry what a
 * decoder reads, which replica's does not), and a replication slot and a WAL sender for each
 * database's subscription, besides those already taken.
 */
final class LogicalSettings {
    /**
     * A subscription's initial copy syncs its tables in workers of their own
     * (max_sync_workers_per_subscription, 2 by default), each on a temporary slot and WAL sender of
     * the source's: with exactly one slot per subscription, the copy would wait for a slot forever.
     */
    static final int TABLE_SYNC_HEADROOM = 2;

    private LogicalSettings() {}

    static List<SettingChange> required(PgSession s, int databases) {
        List<SettingChange> changes = new ArrayList<>();
        List<String> wal = SourceSettings.setting(s, "wal_level");
        if (!wal.get(0).equals("logical")) changes.add(SourceSettings.change(wal, "wal_level", "logical"));
        room(s, changes, "max_wal_senders", "SELECT count(*) FROM pg_stat_replication", databases);
        room(s, changes, "max_replication_slots", "SELECT count(*) FROM pg_replication_slots", databases);
        return changes;
    }

    private static void room(PgSession s, List<SettingChange> changes, String name, String inUse, int databases) {
        long needed = Long.parseLong(s.one(inUse)) + databases + TABLE_SYNC_HEADROOM;
        List<String> current = SourceSettings.setting(s, name);
        if (Long.parseLong(current.get(0)) < needed) {
            changes.add(SourceSettings.change(current, name, String.valueOf(Math.max(10, needed))));
        }
    }
}
