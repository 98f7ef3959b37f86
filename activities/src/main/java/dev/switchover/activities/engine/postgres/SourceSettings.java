package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The source settings streaming replication needs (the runbook's wal_level, max_wal_senders,
 * max_replication_slots), what must change, and whether the change needs a restart
 * (pg_settings.context = 'postmaster') or is already waiting for one (pending_restart).
 */
final class SourceSettings {
    private SourceSettings() {}

    static List<SettingChange> required(PgSession s) {
        List<SettingChange> changes = new ArrayList<>();
        List<String> wal = setting(s, "wal_level");
        if (wal.get(0).equals("minimal")) changes.add(change(wal, "wal_level", "replica"));
        long senders = Long.parseLong(s.one("SELECT count(*) FROM pg_stat_replication"));
        List<String> maxSenders = setting(s, "max_wal_senders");
        if (Long.parseLong(maxSenders.get(0)) < senders + 2) {
            changes.add(change(maxSenders, "max_wal_senders", String.valueOf(Math.max(10, senders + 2))));
        }
        long slots = Long.parseLong(s.one("SELECT count(*) FROM pg_replication_slots"));
        List<String> maxSlots = setting(s, "max_replication_slots");
        if (Long.parseLong(maxSlots.get(0)) < slots + 1) {
            changes.add(change(maxSlots, "max_replication_slots", String.valueOf(Math.max(10, slots + 1))));
        }
        return changes;
    }

    /** setting, context, pending_restart */
    static List<String> setting(PgSession s, String name) {
        return s.row("SELECT setting, context, pending_restart::text FROM pg_settings WHERE name = ?", name);
    }

    static SettingChange change(List<String> row, String name, String required) {
        boolean restart = row.get(1).equals("postmaster") || row.get(2).equals("true");
        return new SettingChange(
                name,
                row.get(0),
                required,
                restart,
                "ALTER SYSTEM SET " + name + " = '" + required + "';"
                        + (restart ? " then restart PostgreSQL" : " then reload"));
    }

    static String restartAdvice(MigrationSpec spec, List<SettingChange> restarts) {
        String what = restarts.stream()
                .map(c -> c.name() + " is " + c.current() + ", needs " + c.required())
                .collect(Collectors.joining("; "));
        String sql = restarts.stream()
                .map(c -> "ALTER SYSTEM SET " + c.name() + " = '" + c.required() + "';")
                .collect(Collectors.joining(" "));
        return "the source " + spec.source().address() + " needs settings that only take effect at a restart: " + what
                + ". Run on the source: " + sql + " then restart PostgreSQL in a maintenance window ("
                + spec.source().database().serviceStop() + " / "
                + spec.source().database().serviceStart()
                + "), and start the migration again. Or set cutover.allowSourceRestart: true to let switchover restart it.";
    }

    /**
     * What must change now, unless that needs a restart the spec forbids: then the step stops with
     * the exact fix, before prepare-source changes anything.
     */
    static List<SettingChange> refuseForbiddenRestart(PgSession s, MigrationSpec spec) {
        return refuseForbiddenRestart(spec, required(s));
    }

    /** {@link #refuseForbiddenRestart(PgSession, MigrationSpec)} for another method's {@code changes}. */
    static List<SettingChange> refuseForbiddenRestart(MigrationSpec spec, List<SettingChange> changes) {
        List<SettingChange> restarts =
                changes.stream().filter(SettingChange::needsRestart).toList();
        if (!restarts.isEmpty() && !Boolean.TRUE.equals(spec.cutover().allowSourceRestart())) {
            throw Failures.fatal(
                    Failures.NEEDS_RESTART,
                    "since preflight, " + restartAdvice(spec, restarts) + " Nothing was changed on the source.");
        }
        return changes;
    }

    /**
     * Applies the changes with ALTER SYSTEM and a reload; restarts the source only when a change
     * needs it and the spec allows it. Preflight refused that already, but sessions may have taken
     * the free WAL senders since: what is needed now is judged again, before anything is changed.
     */
    static List<SettingChange> apply(PgSession s, MigrationSpec spec, RemoteHost sourceHost, List<String> notes) {
        return apply(spec, sourceHost, notes, s, required(s));
    }

    /** {@link #apply(PgSession, MigrationSpec, RemoteHost, List)} for another method's {@code needed}, judged just now. */
    static List<SettingChange> apply(
            MigrationSpec spec, RemoteHost sourceHost, List<String> notes, PgSession s, List<SettingChange> needed) {
        List<SettingChange> changes = refuseForbiddenRestart(spec, needed);
        for (SettingChange c : changes) {
            s.execute("ALTER SYSTEM SET " + PgSession.ident(c.name()) + " = " + PgSession.literal(c.required()));
        }
        s.execute("SELECT pg_reload_conf()");
        if (changes.stream().anyMatch(SettingChange::needsRestart)) {
            notes.add("restarted the source for "
                    + changes.stream()
                            .filter(SettingChange::needsRestart)
                            .map(SettingChange::name)
                            .collect(Collectors.joining(", "))
                    + " (cutover.allowSourceRestart)");
            sourceHost
                    .run(Command.of("sh", "-c", spec.source().database().serviceStop()))
                    .orThrow("stopping the source");
            sourceHost
                    .run(Command.of("sh", "-c", spec.source().database().serviceStart()))
                    .orThrow("starting the source");
        }
        return changes;
    }
}
