package dev.switchover.workflows.spec;

/**
 * A spec that names no engine yet (its own problem, reported as such): nothing is held against the
 * parts that depend on the engine, except backup.maxRate and replication.method, which only
 * PostgreSQL takes and which are read as PostgreSQL's so that a mistake in them shows in the same run. It has no defaults: only a
 * valid spec, which names its engine, is completed.
 */
final class NoEngineRules implements EngineRules {
    static final NoEngineRules INSTANCE = new NoEngineRules();
    private static final PostgresRules POSTGRES = new PostgresRules();

    private NoEngineRules() {}

    @Override
    public DatabaseSpec databaseDefaults() {
        throw noDefaults();
    }

    @Override
    public String defaultSlot(String migrationName) {
        throw noDefaults();
    }

    @Override
    public String defaultCopyMethod() {
        throw noDefaults();
    }

    @Override
    public String defaultMethod() {
        throw noDefaults();
    }

    @Override
    public String engineMethod(ReplicationSpec replication) {
        throw noDefaults();
    }

    @Override
    public void method(String method, Problems problems) {
        POSTGRES.method(method, problems);
    }

    @Override
    public void copyMethod(String method, Problems problems) {}

    @Override
    public void replication(ReplicationSpec replication, String migrationName, Problems problems) {}

    @Override
    public void backupRate(String rate, Problems problems) {
        POSTGRES.backupRate(rate, problems);
    }

    /** A spec without an engine never runs a step; said as MySQL's for completeness, as before the rules. */
    @Override
    public String preparationSummary(
            boolean createdAccount, boolean addedAccessRule, boolean createdSlot, int settingsChanged) {
        return (createdAccount ? "replication account created" : "replication account present") + ", " + settingsChanged
                + " settings changed";
    }

    @Override
    public void traffic(TrafficSwitch type, Problems problems) {}

    private static IllegalStateException noDefaults() {
        return new IllegalStateException("a spec without an engine has no defaults; validate it first");
    }
}
