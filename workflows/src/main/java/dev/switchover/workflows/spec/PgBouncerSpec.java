package dev.switchover.workflows.spec;

/**
 * The PgBouncer in front of the database: its admin console is told to PAUSE, point
 * {@code database} at the new primary, RELOAD and RESUME, so clients keep their connections.
 */
public record PgBouncerSpec(
    String address, Integer port, String adminUser, String adminPassword, String database) {

  PgBouncerSpec withDefaults() {
    return new PgBouncerSpec(
        address, port == null ? 6432 : port, adminUser == null ? "pgbouncer" : adminUser, adminPassword, database);
  }
}
