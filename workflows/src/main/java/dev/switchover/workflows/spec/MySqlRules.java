package dev.switchover.workflows.spec;

/**
 * The part of the spec for MySQL and MariaDB, which differ here only in data: both replicate by
 * GTID without slots and copy with a dump; MySQL can also clone. {@code id} is the engine as the
 * spec writes it, {@code name} as people do.
 *
 * @param longestAccountName MySQL account names are at most 32 characters, MariaDB's 80
 * @param hasClone whether the engine has MySQL's CLONE plugin (8.0.17+)
 * @param service the systemd unit the engine's packages install
 */
record MySqlRules(String id, String name, int longestAccountName, boolean hasClone, String service)
        implements EngineRules {

    @Override
    public DatabaseSpec databaseDefaults() {
        return new DatabaseSpec(
                3306, "root", null, "mysql", null, "systemctl start " + service, "systemctl stop " + service, null);
    }

    @Override
    public String defaultSlot(String migrationName) {
        return null;
    }

    @Override
    public String defaultCopyMethod() {
        return ReplicationSpec.DUMP;
    }

    @Override
    public String defaultMethod() {
        return null;
    }

    @Override
    public String engineMethod(ReplicationSpec r) {
        return r.copyMethod() == null ? defaultCopyMethod() : r.copyMethod();
    }

    @Override
    public void method(String method, Problems problems) {
        problems.add(
                "replication.method",
                "is PostgreSQL's choice between physical and logical replication; " + id + " replicates by GTID"
                        + " from the copy replication.copyMethod makes (" + (hasClone ? "dump or clone" : "dump")
                        + "), so remove it");
    }

    @Override
    public void copyMethod(String method, Problems problems) {
        if (ReplicationSpec.CLONE.equals(method) && !hasClone) {
            problems.add(
                    "replication.copyMethod",
                    "clone is MySQL's CLONE plugin, which " + name + " does not have;" + " use dump");
        }
    }

    @Override
    public void replication(ReplicationSpec r, String migrationName, Problems problems) {
        if (r.databases() != null) {
            problems.add(
                    "replication.databases",
                    "is PostgreSQL's logical method's; " + id + " moves every user database: remove it");
        }
        if (r.slot() != null) {
            problems.add(
                    "replication.slot",
                    "is PostgreSQL's replication slot; " + id + " replicates by GTID and"
                            + " has no slots, so remove it");
        }
        if (r.user() != null && r.user().length() > longestAccountName) {
            problems.add(
                    "replication.user",
                    "is " + r.user().length() + " characters; " + id + " account names have at" + " most "
                            + longestAccountName + ": choose a shorter name");
        }
    }

    @Override
    public void backupRate(String rate, Problems problems) {
        problems.add(
                "backup.maxRate",
                "is pg_basebackup's --max-rate; " + id + "'s dump has no rate limit," + " so remove it");
    }

    @Override
    public String preparationSummary(
            boolean createdAccount, boolean addedAccessRule, boolean createdSlot, int settingsChanged) {
        return (createdAccount ? "replication account created" : "replication account present") + ", " + settingsChanged
                + " settings changed";
    }

    @Override
    public void traffic(TrafficSwitch type, Problems problems) {
        if (type == TrafficSwitch.PGBOUNCER) {
            problems.add(
                    "traffic.type",
                    "pgbouncer only fronts PostgreSQL; for " + id + " use command" + " (with traffic.command) or none");
        }
    }
}
