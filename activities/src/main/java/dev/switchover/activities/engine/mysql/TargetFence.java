package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's logins from the moment it becomes a replica until its promotion. read_only does
 * not close a replica to every client: MariaDB's READ ONLY ADMIN (in every ALL PRIVILEGES account,
 * including those the copy brought from the source) writes through it, and on MySQL an account
 * with SYSTEM_VARIABLES_ADMIN can turn super_read_only off. So, as on the fenced source, every
 * account is locked except switchover's admin, the local login the copy loads through, the
 * server's built-in accounts on its own host and accounts already locked; the list is written
 * first to {@code .switchover-locked-NAME} beside the target's data, and promotion unlocks
 * exactly those, so the applications log in to the new primary as before. A re-copy after a
 * rollback finds the record and the locks, and adds only accounts that appeared since.
 */
final class TargetFence {
    private static final Logger log = LoggerFactory.getLogger(TargetFence.class);
    private static final Duration SESSIONS_WAIT = Duration.ofSeconds(30);

    private final Dialect dialect;
    private final RemoteHost host;
    private final MigrationSpec spec;

    TargetFence(Dialect dialect, RemoteHost host, MigrationSpec spec) {
        this.dialect = dialect;
        this.host = host;
        this.spec = spec;
    }

    /** Locks the target's accounts (recorded first) and ends every client session. Idempotent. */
    List<FenceAccounts.Account> close(MySqlSession t) {
        FenceAccounts accounts = new FenceAccounts(dialect, host, null, spec.name(), loader());
        List<FenceAccounts.Account> locked = accounts.lock(t);
        int ended = new ClientSessions(null, "target").endAll(t, SESSIONS_WAIT);
        log.info(
                "target {} closed to clients until promotion: {} accounts locked ({}), {} sessions ended",
                spec.target().address(),
                locked.size(),
                locked,
                ended);
        return locked;
    }

    /**
     * An account created on the source after the copy arrives by replication as it was created,
     * open, and may write to the replica (MariaDB's READ ONLY ADMIN): each lag sample locks such
     * arrivals and adds them to the record, so promotion opens them with the rest. Costs one query
     * when nothing arrived.
     */
    void lockArrivals(MySqlSession t) {
        List<FenceAccounts.Account> open = new FenceAccounts(dialect, host, null, spec.name()).open(t);
        if (open.isEmpty()) return;
        Set<String> loader = loader();
        if (open.stream().allMatch(a -> loader.contains(a.toString()))) return;
        close(t);
    }

    /** Unlocks exactly what {@link #close} recorded and removes the record. Idempotent. */
    List<FenceAccounts.Account> open(MySqlSession t) {
        List<FenceAccounts.Account> unlocked = new FenceAccounts(dialect, host, null, spec.name()).unlock(t);
        if (!unlocked.isEmpty())
            log.info("target {}: unlocked {}", spec.target().address(), unlocked);
        return unlocked;
    }

    /**
     * The account the copy loads through (the target's socket login, proved in preflight): it must
     * stay open so that a re-copy after a rollback still loads. Nothing if it cannot be told.
     */
    private Set<String> loader() {
        CommandResult r =
                host.run(Command.of(dialect.clientTool, "--protocol=socket", "-N", "-e", "SELECT CURRENT_USER()")
                        .withTimeout(Duration.ofSeconds(30)));
        String who = r.ok() ? r.stdout().strip() : "";
        if (who.isEmpty()) {
            log.warn(
                    "target {}: the local load login did not answer ({}); it is locked like any other account",
                    spec.target().address(),
                    r.stderr().strip());
            return Set.of();
        }
        return Set.of(who);
    }
}
