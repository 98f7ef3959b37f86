package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.secrets.Secret;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;

/**
 * What every PostgreSQL step shares: admin sessions to the source and the target, the secrets
 * they log in with, SSH to either host, and where the target keeps its data.
 */
final class PgLogins {
    /** How long promotion's proof waits to log in to the source before calling it unreachable. */
    static final int PROOF_CONNECT_SECONDS = 5;

    private final Hosts hosts;

    PgLogins(Hosts hosts) {
        this.hosts = hosts;
    }

    PgSession source(MigrationSpec spec) {
        return PgSession.open(
                spec.source(),
                hosts.secret(
                        "source.database.adminPassword",
                        spec.source().database().adminPassword()),
                "source");
    }

    /** The source's admin in one of its databases, where that database's publication is. */
    PgSession source(MigrationSpec spec, String database) {
        return PgSession.open(
                spec.source(),
                hosts.secret(
                        "source.database.adminPassword",
                        spec.source().database().adminPassword()),
                "source",
                10,
                database);
    }

    /** {@link #source(MigrationSpec, String)} after the freeze, giving up as soon as {@link #sourceAfterFreeze} does. */
    PgSession sourceAfterFreeze(MigrationSpec spec, String role, String database) {
        return PgSession.open(
                spec.source(),
                hosts.secret(
                        "source.database.adminPassword",
                        spec.source().database().adminPassword()),
                role,
                PROOF_CONNECT_SECONDS,
                database);
    }

    /** The target's admin, before any copy, in one of its databases. */
    PgSession target(MigrationSpec spec, String database) {
        return PgSession.open(
                spec.target(),
                hosts.secret(
                        "target.database.adminPassword",
                        spec.target().database().adminPassword()),
                "target",
                10,
                database);
    }

    /**
     * The source after the freeze, which may be gone: the login gives up after
     * {@link #PROOF_CONNECT_SECONDS}, and nothing after the freeze waits on the source long.
     */
    PgSession sourceAfterFreeze(MigrationSpec spec, String role) {
        return PgSession.open(
                spec.source(),
                hosts.secret(
                        "source.database.adminPassword",
                        spec.source().database().adminPassword()),
                role,
                PROOF_CONNECT_SECONDS);
    }

    /**
     * The target before the copy has its own roles; after it, the data directory is a copy of the
     * source's, so the source's admin password is the one that works.
     */
    PgSession target(MigrationSpec spec, boolean afterCopy) {
        HostSpec passwordOwner = afterCopy ? spec.source() : spec.target();
        String field = afterCopy ? "source.database.adminPassword" : "target.database.adminPassword";
        return PgSession.open(
                spec.target(), hosts.secret(field, passwordOwner.database().adminPassword()), "target");
    }

    Secret replicationPassword(MigrationSpec spec) {
        return hosts.secret("replication.password", spec.replication().password());
    }

    RemoteHost ssh(HostSpec host) {
        return hosts.ssh(host);
    }

    /** The spec's, or the running target's own answer: preflight, the copy and quieting the target ask it. */
    String targetDataDirectory(MigrationSpec spec) {
        if (spec.target().database().dataDirectory() != null)
            return spec.target().database().dataDirectory();
        try (PgSession t = target(spec, false)) {
            return t.one("SHOW data_directory");
        } catch (RuntimeException e) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "the target's data directory is not in the spec and the" + " target's server could not be asked ("
                            + e.getMessage() + "): set target.database.dataDirectory.");
        }
    }
}
