package dev.switchover.workflows.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The database engines switchover can migrate. What their specs may say differently is in their
 * {@link EngineRules}; what they do differently lives behind the activities.
 */
public enum Engine {
    POSTGRESQL("postgresql", new PostgresRules()),
    MYSQL("mysql", new MySqlRules("mysql", "MySQL", 32, true, "mysql")),
    MARIADB("mariadb", new MySqlRules("mariadb", "MariaDB", 80, false, "mariadb"));

    private final String id;
    private final EngineRules rules;

    Engine(String id, EngineRules rules) {
        this.id = id;
        this.rules = rules;
    }

    @JsonValue
    public String id() {
        return id;
    }

    EngineRules rules() {
        return rules;
    }

    /** What prepare-source did, in this engine's words (see {@link EngineRules#preparationSummary}). */
    public String preparationSummary(
            boolean createdAccount, boolean addedAccessRule, boolean createdSlot, int settingsChanged) {
        return rules.preparationSummary(createdAccount, addedAccessRule, createdSlot, settingsChanged);
    }

    /**
     * How a migration of this engine with {@code replication} runs: the field that chooses it for
     * this engine (replication.method for PostgreSQL, copyMethod for MySQL and MariaDB), or its
     * default. The worker picks the engine's implementation by it.
     */
    public String method(ReplicationSpec replication) {
        return rules.engineMethod(replication == null ? new ReplicationSpec(null, null, null) : replication);
    }

    @JsonCreator
    public static Engine of(String text) {
        for (Engine e : values()) {
            if (e.id.equalsIgnoreCase(text) || e.name().equalsIgnoreCase(text)) return e;
        }
        throw new IllegalArgumentException("unknown engine '" + text + "'");
    }
}
