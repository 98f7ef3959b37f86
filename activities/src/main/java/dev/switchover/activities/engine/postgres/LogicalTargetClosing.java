package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;

/**
 * A logical copy's target is an ordinary writable server from the first minute, and the roles the
 * copy gives it can log in: until promotion it is closed to every login but switchover's own, by a
 * block first in its pg_hba.conf ({@link PgFence.Marks#closed}), so no client writes there while
 * the source is still the primary. The subscriptions apply inside the server and are not logins;
 * the cluster owner's socket login stays open for the copy's own tools.
 */
final class LogicalTargetClosing {
    private final PgLogins logins;

    LogicalTargetClosing(PgLogins logins) {
        this.logins = logins;
    }

    /** Closes the target; idempotent. Proves switchover's own login still passes, or opens it again and fails. */
    void close(MigrationSpec spec) {
        RemoteHost host = logins.ssh(spec.target());
        PgFence.Marks marks = PgFence.Marks.closed(spec.name());
        try (PgSession t = logins.target(spec, "postgres")) {
            String file = t.one("SHOW hba_file");
            String content = host.readFile(file);
            if (!PgFence.isFenced(content, marks)) {
                // The cluster's owner on the host's socket too: the copy restores roles and schemas with
                // psql and pg_restore there, and whoever runs processes on the host owns it anyway.
                List<String> owner =
                        List.of("local all " + spec.target().database().osUser() + " peer");
                host.writeFile(file, PgFence.withFence(content, marks, SourceFence.adminDoor(t), owner), null, null);
                t.execute("SELECT pg_reload_conf()");
            }
            String errors = t.one("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL");
            if (!"0".equals(errors)) {
                open(spec);
                throw new IllegalStateException(file + " on " + spec.target().address() + " has " + errors
                        + " invalid lines with the closing block in it (see pg_hba_file_rules); it was opened again");
            }
            // A client that logged in before the block came has passed it: it goes too, as at the
            // source's freeze.
            SourceFence.endOtherSessions(t, spec.target().address());
        }
        try (PgSession check = logins.target(spec, "postgres")) {
            check.one("SELECT 1");
        } catch (RuntimeException e) {
            open(spec);
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    "with the target " + spec.target().address() + " closed to clients, switchover's own login to it"
                            + " was refused (" + e.getMessage() + "), so it was opened again; check how the worker"
                            + " logs in there");
        }
    }

    /** Opens the target to its clients (promotion, or a rollback's clean-up); idempotent. */
    void open(MigrationSpec spec) {
        RemoteHost host = logins.ssh(spec.target());
        try (PgSession t = logins.target(spec, "postgres")) {
            String file = t.one("SHOW hba_file");
            String content = host.readFile(file);
            String without = PgFence.withoutFence(content, PgFence.Marks.closed(spec.name()));
            if (!without.equals(content)) {
                host.writeFile(file, without, null, null);
                t.execute("SELECT pg_reload_conf()");
            }
        }
    }

    /** Whether the target is still closed to its clients. */
    boolean isClosed(MigrationSpec spec) {
        try (PgSession t = logins.target(spec, "postgres")) {
            return PgFence.isFenced(
                    t.one("SELECT pg_read_file(current_setting('hba_file'))"), PgFence.Marks.closed(spec.name()));
        }
    }
}
