package dev.switchover.workflows.spec;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's part of the spec: physical or logical replication, a physical slot, pg_basebackup's
 * copy and rate, and PgBouncer.
 */
final class PostgresRules implements EngineRules {
    private static final List<String> METHODS =
            List.of(ReplicationSpec.PHYSICAL, ReplicationSpec.LOGICAL, ReplicationSpec.AUTO);
    /** PostgreSQL's rule for replication slot names (NAMEDATALEN 64). */
    private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
    /** pg_basebackup's --max-rate: kilobytes per second, or with k or M. */
    private static final Pattern RATE = Pattern.compile("([0-9]+)([kM]?)");

    private static final DatabaseSpec DEFAULTS = new DatabaseSpec(
            5432, "postgres", null, "postgres", null, "systemctl start postgresql", "systemctl stop postgresql", null);

    @Override
    public DatabaseSpec databaseDefaults() {
        return DEFAULTS;
    }

    @Override
    public String defaultSlot(String migrationName) {
        return "switchover_" + migrationName.replaceAll("[^a-z0-9_]", "_");
    }

    @Override
    public String defaultCopyMethod() {
        return null;
    }

    @Override
    public String defaultMethod() {
        return ReplicationSpec.PHYSICAL;
    }

    @Override
    public String engineMethod(ReplicationSpec r) {
        return r.method() == null ? defaultMethod() : r.method();
    }

    @Override
    public void method(String method, Problems problems) {
        if (!METHODS.contains(method)) {
            problems.add(
                    "replication.method",
                    "'" + method + "' is not a way PostgreSQL replicates; use physical (the default: same major"
                            + " version), logical (to a newer major version) or auto (preflight chooses by the two"
                            + " servers' versions)");
        }
    }

    @Override
    public void copyMethod(String method, Problems problems) {
        problems.add("replication.copyMethod", "is MySQL's; PostgreSQL always copies with pg_basebackup, so remove it");
    }

    @Override
    public void replication(ReplicationSpec r, String name, Problems problems) {
        databases(r, problems);
        if (r.slot() != null && !SLOT.matcher(r.slot()).matches()) {
            problems.add(
                    "replication.slot",
                    "'" + r.slot() + "' is not a PostgreSQL slot name; use lower-case"
                            + " letters, digits and _, at most 63 characters");
        } else if (r.slot() == null
                && name != null
                && SpecValidator.NAME.matcher(name).matches()) {
            String slot = defaultSlot(name);
            if (slot.length() > 63) {
                problems.add(
                        "replication.slot",
                        "the default slot name switchover_<name> would be " + slot.length()
                                + " characters, over PostgreSQL's 63; set replication.slot to a shorter name, or shorten name");
            }
        }
    }

    /** replication.databases: a logical migration's own choice, each named once. */
    private static void databases(ReplicationSpec r, Problems problems) {
        if (r.databases() == null) return;
        if (!ReplicationSpec.LOGICAL.equals(r.method())) {
            problems.add(
                    "replication.databases",
                    "chooses the databases a logical migration moves; " + (r.method() == null ? "physical" : r.method())
                            + " replication copies the whole cluster: set replication.method: logical, or remove it");
        } else if (r.databases().isEmpty()) {
            problems.add(
                    "replication.databases", "is empty; list the databases to move, or remove it to move them all");
        } else if (r.databases().stream().anyMatch(d -> d == null || d.isBlank())) {
            problems.add("replication.databases", "has an empty name; list each database by its name");
        } else if (r.databases().stream().distinct().count() < r.databases().size()) {
            problems.add("replication.databases", "names a database twice; list each once");
        }
    }

    @Override
    public void backupRate(String rate, Problems problems) {
        Matcher m = RATE.matcher(rate.strip());
        long kilobytes = m.matches() && m.group(1).length() < 10
                ? Long.parseLong(m.group(1))
                        * (m.group(2).isEmpty() || m.group(2).equals("k") ? 1 : 1024)
                : -1;
        if (kilobytes < 32 || kilobytes > 1024 * 1024) {
            problems.add(
                    "backup.maxRate",
                    "'" + rate + "' is not a rate pg_basebackup takes; write kilobytes per second"
                            + " from 32k to 1024M, with k or M, e.g. 50M");
        }
    }

    @Override
    public String preparationSummary(
            boolean createdAccount, boolean addedAccessRule, boolean createdSlot, int settingsChanged) {
        return (createdAccount ? "role created" : "role present") + ", "
                + (addedAccessRule ? "pg_hba line added" : "access rule present") + ", "
                + (createdSlot ? "slot created" : "slot present") + ", "
                + settingsChanged + " settings changed";
    }

    @Override
    public void traffic(TrafficSwitch type, Problems problems) {
        // Every way: none, a command, and PgBouncer, which fronts only PostgreSQL.
    }
}
