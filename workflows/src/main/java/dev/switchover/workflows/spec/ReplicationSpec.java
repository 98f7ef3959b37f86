package dev.switchover.workflows.spec;

/**
 * The account the target replicates with. {@code password} is a reference ({@code env:NAME} or
 * {@code file:PATH}). {@code slot} is PostgreSQL's physical replication slot, which keeps the
 * source's WAL until the target has it.
 */
public record ReplicationSpec(String user, String password, String slot) {

  ReplicationSpec withDefaults(String migrationName) {
    return new ReplicationSpec(
        user == null ? "replicator" : user,
        password,
        slot == null ? "switchover_" + migrationName.replaceAll("[^a-z0-9_]", "_") : slot);
  }
}
