package dev.switchover.workflows.spec;

import java.util.List;

/**
 * The account the target replicates with. {@code password} is a reference ({@code env:NAME} or
 * {@code file:PATH}). {@code slot} is PostgreSQL's physical replication slot, which keeps the
 * source's WAL until the target has it. {@code copyMethod} is how MySQL's base copy is made:
 * {@code dump} (mysqldump streamed into the target, the default; MariaDB's only way) or
 * {@code clone} (MySQL's CLONE plugin, a physical copy for large datasets). {@code method} is how
 * PostgreSQL replicates: {@code physical} (pg_basebackup and streaming, same major version only;
 * the default), {@code logical} (publication and subscription, to a newer major) or {@code auto}
 * (whichever the two servers' versions call for, decided in preflight). {@code databases} are the
 * databases a logical migration moves; without it, every database a client can connect to.
 */
public record ReplicationSpec(
        String user, String password, String slot, String copyMethod, String method, List<String> databases) {
    public static final String DUMP = "dump";
    public static final String CLONE = "clone";
    public static final String PHYSICAL = "physical";
    public static final String LOGICAL = "logical";
    public static final String AUTO = "auto";

    public ReplicationSpec(String user, String password, String slot) {
        this(user, password, slot, null, null, null);
    }

    public ReplicationSpec(String user, String password, String slot, String copyMethod) {
        this(user, password, slot, copyMethod, null, null);
    }

    public ReplicationSpec(String user, String password, String slot, String copyMethod, String method) {
        this(user, password, slot, copyMethod, method, null);
    }

    /** The same replication by {@code resolved}: what preflight decided a spec's {@code auto} means. */
    public ReplicationSpec withMethod(String resolved) {
        return new ReplicationSpec(user, password, slot, copyMethod, resolved, databases);
    }

    ReplicationSpec withDefaults(String migrationName, Engine engine) {
        EngineRules rules = engine.rules();
        return new ReplicationSpec(
                user == null ? "replicator" : user,
                password,
                slot == null ? rules.defaultSlot(migrationName) : slot,
                copyMethod == null ? rules.defaultCopyMethod() : copyMethod,
                method == null ? rules.defaultMethod() : method,
                databases);
    }
}
