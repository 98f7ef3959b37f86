package dev.switchover.workflows.spec;

/**
 * What a spec may say differently for each engine: the database defaults it installs with, how the
 * target is copied and replicates, and which backup and traffic options it takes. Each engine
 * validates its own part of the spec here, so {@link SpecValidator} and the defaults never ask which
 * engine they deal with. Pure, like the validator: the workflow runs these checks too.
 */
interface EngineRules {

    /** Where the checks put what they find: the field, and the message for the operator. */
    @FunctionalInterface
    interface Problems {
        void add(String field, String message);
    }

    /** The rules for {@code engine}, or those for a spec that names none yet (checked for what it can be). */
    static EngineRules of(Engine engine) {
        return engine == null ? NoEngineRules.INSTANCE : engine.rules();
    }

    /** Port, admin user, OS user and service commands as the engine's packages install them. */
    DatabaseSpec databaseDefaults();

    /** The replication slot the target holds on the source if the spec names none; null without slots. */
    String defaultSlot(String migrationName);

    /** How the base copy is made if the spec does not say; null for an engine with one way only. */
    String defaultCopyMethod();

    /** How the engine replicates if the spec does not say; null for an engine with one way only. */
    String defaultMethod();

    /**
     * The value of the field that chooses how this engine's migration runs, its default where the
     * spec names none: the worker picks the engine's implementation by it.
     */
    String engineMethod(ReplicationSpec replication);

    /** replication.method, which the spec gives. */
    void method(String method, Problems problems);

    /** replication.copyMethod, already one switchover knows (dump or clone). */
    void copyMethod(String method, Problems problems);

    /** replication's slot and account name, which the engine limits. */
    void replication(ReplicationSpec replication, String migrationName, Problems problems);

    /** backup.maxRate, which the spec gives. */
    void backupRate(String rate, Problems problems);

    /**
     * What prepare-source did, in the engine's words, for its step's record: the replication
     * account, the access rule and the slot where the engine has them, and the settings changed.
     */
    String preparationSummary(
            boolean createdAccount, boolean addedAccessRule, boolean createdSlot, int settingsChanged);

    /** Whether clients of this engine can be moved the way traffic.type says. */
    void traffic(TrafficSwitch type, Problems problems);
}
