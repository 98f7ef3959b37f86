package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
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
 * What the logical copy needs on the source, and taking it back: the replication role, which
 * reads every table (pg_read_all_data); a pg_hba rule per database moved; the settings; and a
 * publication FOR ALL TABLES in each database. Every object carries the migration's name (the
 * role's and the publications' comments, the pg_hba marker), so undo and retiring the old source
 * remove exactly what switchover made, even when prepare-source stopped half way and left no
 * record.
 */
final class LogicalSourcePreparation {
    private static final Logger log = LoggerFactory.getLogger(PostgresLogicalEngine.class);

    private final PgLogins logins;

    LogicalSourcePreparation(PgLogins logins) {
        this.logins = logins;
    }

    SourcePreparation prepareSource(MigrationSpec spec) {
        List<String> notes = new ArrayList<>();
        boolean createdRole;
        boolean addedHba;
        List<SettingChange> changed;
        List<String> databases;
        PgSession s = logins.source(spec);
        try {
            databases = LogicalNames.movedDatabases(spec, s);
            SourceSettings.refuseForbiddenRestart(spec, LogicalSettings.required(s, databases.size()));
            createdRole = ensureRole(s, spec, notes);
            changed = SourceSettings.apply(
                    spec, logins.ssh(spec.source()), notes, s, LogicalSettings.required(s, databases.size()));
            if (changed.stream().anyMatch(SettingChange::needsRestart)) {
                // The restart ended this session; confirm on a new one that the settings took effect.
                s.close();
                s = logins.source(spec);
                List<SettingChange> left = LogicalSettings.required(s, databases.size());
                if (!left.isEmpty()) {
                    throw new IllegalStateException("the source was restarted but still needs "
                            + left.stream()
                                    .map(c -> c.name() + " = " + c.required() + " (is " + c.current() + ")")
                                    .toList());
                }
            }
            addedHba = ensureHbaRules(s, spec, databases);
        } finally {
            s.close();
        }
        List<String> created = new ArrayList<>();
        for (String db : databases) {
            try (PgSession d = logins.source(spec, db)) {
                if (ensurePublication(d, spec, db)) created.add(db);
            }
        }
        String publication = LogicalNames.publication(spec);
        notes.add(
                created.isEmpty()
                        ? "publication " + publication + " already in every database moved"
                        : "publication " + publication + " created in " + String.join(", ", created));
        log.info(
                "source prepared for logical replication: role {} {}, pg_hba rules {}, publication {} created in {}",
                spec.replication().user(),
                createdRole ? "created" : "kept",
                addedHba ? "added" : "present",
                publication,
                created);
        return new SourcePreparation(
                createdRole,
                addedHba,
                false,
                changed,
                notes,
                (createdRole ? "role created" : "role present") + ", "
                        + (addedHba ? "pg_hba rules added" : "pg_hba rules present")
                        + ", "
                        + (created.isEmpty()
                                ? "publication present"
                                : "publication created in " + created.size() + " of " + databases.size() + " databases")
                        + ", " + changed.size() + " settings changed");
    }

    /** Ours (by its comment), an operator's with what the copy needs, or refused with the grant to make. */
    private boolean ensureRole(PgSession s, MigrationSpec spec, List<String> notes) {
        String user = spec.replication().user();
        String role = PgSession.ident(user);
        List<String> row = s.row(
                "SELECT rolreplication::text, rolcanlogin::text, coalesce(shobj_description(oid, 'pg_authid'), ''),"
                        + " pg_has_role(oid, 'pg_read_all_data', 'MEMBER')::text FROM pg_roles WHERE rolname = ?",
                user);
        String ours = LogicalNames.comment(spec);
        if (row == null) {
            // One transaction: a role without its comment would be nobody's, never dropped by undo.
            s.execute("BEGIN; CREATE ROLE " + role + " WITH REPLICATION LOGIN; COMMENT ON ROLE " + role + " IS "
                    + PgSession.literal(ours) + "; GRANT pg_read_all_data TO " + role + "; COMMIT");
            s.setScramPassword(user, logins.replicationPassword(spec));
            return true;
        }
        if (row.get(2).equals(ours)) {
            if (!"true".equals(row.get(3))) s.execute("GRANT pg_read_all_data TO " + role);
            s.setScramPassword(user, logins.replicationPassword(spec));
            return false;
        }
        if (!"true".equals(row.get(0)) || !"true".equals(row.get(1)) || !"true".equals(row.get(3))) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the role " + user + " exists on the source "
                            + spec.source().address() + " and was not created"
                            + " by switchover; logical replication needs it to log in, replicate and read every"
                            + " table. Grant it (ALTER ROLE " + role + " REPLICATION LOGIN; GRANT pg_read_all_data TO "
                            + role + ") or name another replication.user. Nothing was changed.");
        }
        notes.add("kept the existing role " + user + " and its password; replication.password must be its password");
        return false;
    }

    private boolean ensureHbaRules(PgSession s, MigrationSpec spec, List<String> databases) {
        String user = spec.replication().user();
        String address = spec.target().address();
        String file = s.one("SHOW hba_file");
        RemoteHost host = logins.ssh(spec.source());
        String content = host.readFile(file);
        String wanted = content;
        for (String db : databases) wanted = PgHba.withDatabaseRule(wanted, spec.name(), db, user, address);
        boolean added = !wanted.equals(content);
        if (added) host.writeFile(file, wanted, null, null);
        s.execute("SELECT pg_reload_conf()");
        String errors = s.one("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL");
        if (!"0".equals(errors)) {
            throw new IllegalStateException(
                    file + " has " + errors + " invalid lines after the change; see pg_hba_file_rules");
        }
        for (String db : databases) {
            String rule = s.one(
                    "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host' AND ? = ANY(database)"
                            + " AND ? = ANY(user_name) AND address = ? AND auth_method = 'scram-sha-256'",
                    db,
                    user,
                    address);
            if (!"1".equals(rule)) {
                throw new IllegalStateException("after reload, pg_hba_file_rules shows " + rule + " rules for " + user
                        + " to " + db + " from " + PgHba.onlyThe(address) + ", expected exactly 1");
            }
        }
        return added;
    }

    /** Creates the publication with its comment in one transaction; true if it did. */
    private boolean ensurePublication(PgSession d, MigrationSpec spec, String db) {
        String name = LogicalNames.publication(spec);
        List<String> row = d.row(
                "SELECT puballtables::text, coalesce(obj_description(oid, 'pg_publication'), '')"
                        + " FROM pg_publication WHERE pubname = ?",
                name);
        if (row == null) {
            d.execute("BEGIN; CREATE PUBLICATION " + PgSession.ident(name) + " FOR ALL TABLES; COMMENT ON PUBLICATION "
                    + PgSession.ident(name) + " IS " + PgSession.literal(LogicalNames.comment(spec)) + "; COMMIT");
            return true;
        }
        if (!row.get(1).equals(LogicalNames.comment(spec)) || !"true".equals(row.get(0))) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the database " + db + " on the source already has a publication " + name
                            + " that switchover did not create for this migration (or not FOR ALL TABLES); drop it"
                            + " (DROP PUBLICATION " + name + ") if it is not needed, or rename the migration.");
        }
        return false;
    }

    /** Takes back what prepare-source made; idempotent: each part is removed only if there. */
    void undoPrepareSource(MigrationSpec spec, SourcePreparation preparation) {
        try (PgSession s = logins.source(spec)) {
            removePreparation(s, spec, db -> logins.source(spec, db));
        }
    }

    /**
     * After promotion, the same removal on the old source, whose fence stays: each session turns
     * the read-only default off for itself (the fence admits them alone). An old source that cannot
     * be reached is left as it is, and the words say what is still there.
     */
    String retireOldSource(MigrationSpec spec, SourcePreparation preparation) {
        List<String> removed;
        try (PgSession s = logins.sourceAfterFreeze(spec, "old source")) {
            s.execute("SET default_transaction_read_only = off");
            removed = removePreparation(s, spec, db -> {
                PgSession d = logins.sourceAfterFreeze(spec, "old source", db);
                d.execute("SET default_transaction_read_only = off");
                return d;
            });
        } catch (RuntimeException e) {
            if (!PgSession.unreachable(e)) throw e;
            return "the old source " + spec.source().address() + " could not be reached (" + e.getMessage()
                    + "): the publication " + LogicalNames.publication(spec) + " in each database, the pg_hba rules"
                    + " marked switchover:" + spec.name() + " and the role "
                    + spec.replication().user()
                    + " (if switchover created it) are still there; remove them when you retire or re-purpose it";
        }
        return (removed.isEmpty() ? "nothing of the copy's was left" : String.join(", ", removed))
                + "; still fenced: remove the block switchover-fence:" + spec.name()
                + " from its pg_hba.conf when you retire or re-purpose it";
    }

    /** Opens a session in one of the source's databases. */
    private interface DatabaseLogin {
        PgSession open(String database);
    }

    /** The marked rules, the publications and the role if switchover created them; returns what it removed. */
    private List<String> removePreparation(PgSession s, MigrationSpec spec, DatabaseLogin login) {
        List<String> removed = new ArrayList<>();
        String user = spec.replication().user();
        // The rules first: a subscription shut out cannot log in again while the rest is dropped.
        String file = s.one("SHOW hba_file");
        RemoteHost host = logins.ssh(spec.source());
        String content = host.readFile(file);
        if (PgHba.hasMarker(content, spec.name())) {
            host.writeFile(
                    file,
                    PgHba.withoutDatabaseRules(
                            content, spec.name(), user, spec.target().address()),
                    null,
                    null);
            s.execute("SELECT pg_reload_conf()");
            removed.add("pg_hba rules removed from " + file);
        }
        // The subscriptions' slots: left behind, they would keep the source's WAL for ever. A walsender
        // still streaming (its target was not quieted) is ended first; its rule is gone, it cannot return.
        List<String> databases = LogicalNames.movedDatabases(spec, s);
        String slots = "{"
                + String.join(
                        ",",
                        databases.stream()
                                .map(db -> "\"" + LogicalNames.slot(spec, db) + "\"")
                                .toList()) + "}";
        s.execute(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ANY(?::text[])"
                        + " AND active_pid IS NOT NULL",
                slots);
        List<String> gone = new ArrayList<>();
        for (List<String> r :
                s.rows("SELECT slot_name FROM pg_replication_slots WHERE slot_name = ANY(?::text[])", slots)) {
            Pause.until(
                    java.time.Duration.ofSeconds(10),
                    java.time.Duration.ofMillis(100),
                    () -> s.one("SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND NOT active", r.get(0))
                            != null);
            s.execute("SELECT pg_drop_replication_slot(?)", r.get(0));
            gone.add(r.get(0));
        }
        if (!gone.isEmpty()) removed.add("replication slots " + String.join(", ", gone) + " dropped");
        String publication = LogicalNames.publication(spec);
        List<String> dropped = new ArrayList<>();
        // Every database there now, not the list prepare-source saw: one may have been added since.
        for (String db : databases) {
            try (PgSession d = login.open(db)) {
                String comment = d.one(
                        "SELECT coalesce(obj_description(oid, 'pg_publication'), '') FROM pg_publication"
                                + " WHERE pubname = ?",
                        publication);
                if (LogicalNames.comment(spec).equals(comment)) {
                    d.execute("DROP PUBLICATION " + PgSession.ident(publication));
                    dropped.add(db);
                }
            }
        }
        if (!dropped.isEmpty()) removed.add("publication " + publication + " dropped in " + String.join(", ", dropped));
        String comment = s.one("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = ?", user);
        if (LogicalNames.comment(spec).equals(comment)) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?", user);
            s.execute("DROP ROLE IF EXISTS " + PgSession.ident(user));
            removed.add("role " + user + " dropped");
        }
        return removed;
    }
}
