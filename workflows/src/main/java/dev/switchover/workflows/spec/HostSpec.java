package dev.switchover.workflows.spec;

/** One end of the migration: where it is, how to log in, and its database server. */
public record HostSpec(String address, SshSpec ssh, DatabaseSpec database) {

    HostSpec withDefaults(Engine engine) {
        return new HostSpec(
                address,
                (ssh == null ? new SshSpec(null, null, null, null, null) : ssh).withDefaults(),
                (database == null ? new DatabaseSpec(null, null, null, null, null, null, null, null) : database)
                        .withDefaults(engine));
    }
}
