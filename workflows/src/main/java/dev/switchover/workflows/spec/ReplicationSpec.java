package dev.switchover.workflows.spec;

/**
 * The account the target replicates with. {@code password} is a reference ({@code env:NAME} or
 * {@code file:PATH}). {@code slot} is PostgreSQL's physical replication slot, which keeps the
 * source's WAL until the target has it. {@code copyMethod} is how MySQL's base copy is made:
 * {@code dump} (mysqldump streamed into the target, the default; MariaDB's only way) or
 * {@code clone} (MySQL's CLONE plugin, a physical copy for large datasets).
 */
public record ReplicationSpec(String user, String password, String slot, String copyMethod) {
    public static final String DUMP = "dump";
    public static final String CLONE = "clone";

    public ReplicationSpec(String user, String password, String slot) {
        this(user, password, slot, null);
    }

    ReplicationSpec withDefaults(String migrationName, Engine engine) {
        EngineRules rules = engine.rules();
        return new ReplicationSpec(
                user == null ? "replicator" : user,
                password,
                slot == null ? rules.defaultSlot(migrationName) : slot,
                copyMethod == null ? rules.defaultCopyMethod() : copyMethod);
    }
}
