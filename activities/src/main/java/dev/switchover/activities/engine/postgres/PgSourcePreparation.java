package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the physical copy needs on the source, and taking it back: the replication role, its
 * pg_hba rule, the settings and the slot; removed again on undo, and from the old source after
 * promotion, where the fence stays.
 */
final class PgSourcePreparation {
    /** Logged as the engine, as before the engine was split into its steps: operators' filters name it. */
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);

    private final PgLogins logins;

    PgSourcePreparation(PgLogins logins) {
        this.logins = logins;
    }

    SourcePreparation prepareSource(MigrationSpec spec) {
        String user = spec.replication().user();
        List<String> notes = new ArrayList<>();
        boolean createdRole;
        boolean addedHba;
        boolean createdSlot;
        List<SettingChange> changed;
        PgSession s = logins.source(spec);
        try {
            SourceSettings.refuseForbiddenRestart(s, spec);
            createdRole = ensureRole(s, spec, notes);
            changed = SourceSettings.apply(s, spec, logins.ssh(spec.source()), notes);
            if (changed.stream().anyMatch(SettingChange::needsRestart)) {
                // The restart ended this session; confirm on a new one that the settings took effect.
                s.close();
                s = logins.source(spec);
                List<SettingChange> left = SourceSettings.required(s);
                if (!left.isEmpty()) {
                    throw new IllegalStateException("the source was restarted but still needs "
                            + left.stream()
                                    .map(c -> c.name() + " = " + c.required() + " (is " + c.current() + ")")
                                    .toList());
                }
            }
            addedHba = ensureHbaRule(s, spec);
            if (s.one(
                            "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?",
                            spec.replication().slot())
                    == null) {
                s.execute(
                        "SELECT pg_create_physical_replication_slot(?, true)",
                        spec.replication().slot());
                createdSlot = true;
            } else {
                createdSlot = false;
                notes.add("replication slot " + spec.replication().slot() + " already existed");
            }
            String rule = s.one(
                    "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host' AND 'replication' = ANY(database)"
                            + " AND ? = ANY(user_name) AND address = ? AND auth_method = 'scram-sha-256' AND (netmask IS NULL"
                            + " OR netmask IN ('255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))",
                    user,
                    spec.target().address());
            if (!"1".equals(rule)) {
                throw new IllegalStateException("after reload, pg_hba_file_rules shows " + rule
                        + " replication rules for " + user + " from "
                        + PgHba.onlyThe(spec.target().address())
                        + ", expected exactly 1");
            }
        } finally {
            s.close();
        }
        log.info(
                "source prepared: role {} {}, pg_hba rule {}, slot {}",
                user,
                createdRole ? "created" : "kept",
                addedHba ? "added" : "present",
                createdSlot ? "created" : "present");
        return new SourcePreparation(createdRole, addedHba, createdSlot, changed, notes);
    }

    /** Roles switchover creates carry a comment naming the migration, so undo drops only those. */
    private boolean ensureRole(PgSession s, MigrationSpec spec, List<String> notes) {
        String user = spec.replication().user();
        List<String> role = s.row(
                "SELECT rolreplication::text, rolcanlogin::text,"
                        + " coalesce(shobj_description(oid, 'pg_authid'), '') FROM pg_roles WHERE rolname = ?",
                user);
        String ours = roleComment(spec);
        if (role == null) {
            s.execute("CREATE ROLE " + PgSession.ident(user) + " WITH REPLICATION LOGIN");
            s.execute("COMMENT ON ROLE " + PgSession.ident(user) + " IS " + PgSession.literal(ours));
            s.setScramPassword(user, logins.replicationPassword(spec));
            return true;
        }
        if (role.get(2).equals(ours)) {
            s.setScramPassword(user, logins.replicationPassword(spec));
            return false;
        }
        if (!"true".equals(role.get(0)) || !"true".equals(role.get(1))) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the role " + user + " exists on the source without"
                            + " REPLICATION LOGIN and was not created by switchover; grant it (ALTER ROLE " + user
                            + " REPLICATION LOGIN) or name another replication.user.");
        }
        notes.add("kept the existing role " + user + " and its password; replication.password must be its password");
        return false;
    }

    private static String roleComment(MigrationSpec spec) {
        return "switchover:" + spec.name();
    }

    private boolean ensureHbaRule(PgSession s, MigrationSpec spec) {
        String file = s.one("SHOW hba_file");
        RemoteHost host = logins.ssh(spec.source());
        String content = host.readFile(file);
        boolean added = false;
        if (!PgHba.hasRule(content, spec.replication().user(), spec.target().address())) {
            host.writeFile(
                    file,
                    PgHba.withRule(
                            content,
                            spec.name(),
                            spec.replication().user(),
                            spec.target().address()),
                    null,
                    null);
            added = true;
        }
        s.execute("SELECT pg_reload_conf()");
        String errors = s.one("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL");
        if (!"0".equals(errors)) {
            throw new IllegalStateException(
                    file + " has " + errors + " invalid lines after the change; see pg_hba_file_rules");
        }
        return added;
    }

    /**
     * Takes back what prepare-source added: our marked pg_hba rule, the slot, and the role if
     * switchover created it (its comment says so). Idempotent: each part is removed only if there.
     */
    void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
        try (PgSession s = logins.source(spec)) {
            removePreparation(s, spec);
        }
    }

    /**
     * After promotion, the same removal on the old source, whose fence stays: this session turns
     * the read-only default off for itself (the fence admits it alone). A short login timeout: the
     * old source may be gone, and nothing after promotion waits on it long.
     */
    String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        try (PgSession s = logins.sourceAfterFreeze(spec, "old source")) {
            s.execute("SET default_transaction_read_only = off");
            List<String> removed = removePreparation(s, spec);
            return (removed.isEmpty() ? "nothing of the copy's was left" : String.join(", ", removed))
                    + "; still fenced: remove the block switchover-fence:" + spec.name()
                    + " from its pg_hba.conf when you"
                    + " retire or re-purpose it";
        }
    }

    /** The marked rule, the slot and the role if switchover created it; returns what it removed. */
    private List<String> removePreparation(PgSession s, MigrationSpec spec) {
        List<String> removed = new ArrayList<>();
        // The rule first: without it a standby on the target cannot log in again and take the slot
        // back between our ending its walsender and dropping the slot.
        String file = s.one("SHOW hba_file");
        RemoteHost host = logins.ssh(spec.source());
        String content = host.readFile(file);
        if (PgHba.hasMarker(content, spec.name())) {
            host.writeFile(
                    file,
                    PgHba.withoutRule(
                            content,
                            spec.name(),
                            spec.replication().user(),
                            spec.target().address()),
                    null,
                    null);
            s.execute("SELECT pg_reload_conf()");
            removed.add("replication rule removed from " + file);
        }
        long held = PgSlot.heldBytes(s, spec.replication().slot());
        if (s.one(
                        "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?",
                        spec.replication().slot())
                != null) {
            PgSlot.drop(s, spec.replication().slot());
            removed.add("slot " + spec.replication().slot() + " dropped");
        }
        // WAL segments the slot held go only at the next checkpoint; a rollback for a full disk
        // must give the space back now, not in up to checkpoint_timeout.
        if (held > 64L << 20) s.execute("CHECKPOINT");
        String user = spec.replication().user();
        String comment = s.one("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = ?", user);
        if (roleComment(spec).equals(comment)) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", user);
            s.execute("DROP ROLE IF EXISTS " + PgSession.ident(user));
            removed.add("role " + user + " dropped");
        }
        return removed;
    }
}
