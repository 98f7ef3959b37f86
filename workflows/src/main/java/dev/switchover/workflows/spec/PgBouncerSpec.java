package dev.switchover.workflows.spec;

/**
 * The PgBouncer in front of the database. At cutover its admin console is told to PAUSE
 * {@code database}, the database's line in the {@code [databases]} section of PgBouncer's
 * configuration file is pointed at the new primary and the console told to RELOAD and RESUME,
 * so clients keep their connections and only wait. The worker reaches the console by running
 * {@code psql} over SSH on the PgBouncer host ({@code address}, logged in with {@code ssh}), and
 * edits the file there: {@code configFile}, or the one the console names in {@code SHOW CONFIG}.
 */
public record PgBouncerSpec(
        String address,
        Integer port,
        String adminUser,
        String adminPassword,
        String database,
        SshSpec ssh,
        String configFile) {

    PgBouncerSpec withDefaults() {
        return new PgBouncerSpec(
                address,
                port == null ? 6432 : port,
                adminUser == null ? "pgbouncer" : adminUser,
                adminPassword,
                database,
                (ssh == null ? new SshSpec(null, null, null, null, null) : ssh).withDefaults(),
                configFile);
    }

    /** The PgBouncer host as the worker logs in to it over SSH. */
    public HostSpec host() {
        return new HostSpec(address, ssh, null);
    }
}
