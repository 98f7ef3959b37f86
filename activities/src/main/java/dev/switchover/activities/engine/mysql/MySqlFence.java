package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence around a frozen source, which no client can open from the freeze until the migration
 * ends: every account but switchover's, replication's and the server's own is locked (so no
 * login, whatever its privileges), read_only is on and kept across a restart of the server, and
 * every client session is ended. The freeze is bounded by cutover.freezeTimeout: a write that
 * holds it longer makes it give up and take the fence down again, or, with
 * cutover.endBlockingSessions, ends that write's session.
 */
final class MySqlFence {
    private static final Logger log = LoggerFactory.getLogger(MySqlFence.class);
    /** How long the source's sessions get to end after KILL. */
    private static final Duration SESSIONS_WAIT = Duration.ofSeconds(30);
    /** At promotion, the sessions an exempt account opened since the freeze get this long to end. */
    private static final Duration PROOF_SESSIONS_WAIT = Duration.ofSeconds(5);

    private final MigrationSpec spec;
    private final FenceAccounts accounts;
    private final SourceReadOnly readOnly;
    private final ClientSessions sessions;

    MySqlFence(Dialect dialect, RemoteHost host, MigrationSpec spec) {
        this.spec = spec;
        this.accounts = new FenceAccounts(dialect, host, spec.replication().user(), spec.name());
        this.readOnly =
                new SourceReadOnly(dialect, host, spec.name(), spec.source().address());
        this.sessions = new ClientSessions(spec.replication().user());
    }

    /** What the freeze did: the accounts it keeps locked and the sessions it ended. */
    record Raised(List<FenceAccounts.Account> locked, int sessionsEnded) {}

    /**
     * Locks the accounts (before read_only: MySQL refuses account changes under super_read_only),
     * sets read_only within the freeze timeout, then ends every client session. Idempotent: a second
     * run finds each part in place. {@code another} opens a second admin session, to stop our own
     * statement should the server outwait lock_wait_timeout.
     */
    Raised raise(MySqlSession s, Supplier<MySqlSession> another) {
        LockWait bounded = new LockWait(spec.cutover().freezeTimeout(), another);
        s.execute("SET SESSION lock_wait_timeout = " + bounded.seconds());
        List<FenceAccounts.Account> locked = accounts.lock(s);
        int ended = 0;
        if (!readOnly.on(s, bounded)) {
            List<ClientSessions.Session> blockers = blockers(s);
            if (!spec.cutover().endBlockingSessions()) throw givenUp(s, blockers);
            // Every client session ends at the freeze anyway; ending them all now, not only the
            // blockers, keeps another open session from starting the next long write meanwhile.
            log.warn(
                    "source {}: read_only waited {} s for {}; ending every client session (cutover.endBlockingSessions)",
                    spec.source().address(),
                    bounded.seconds(),
                    blockers);
            ended = sessions.endAll(s, SESSIONS_WAIT);
            if (!readOnly.on(s, bounded)) throw givenUp(s, blockers(s));
        }
        return new Raised(locked, ended + sessions.endAll(s, SESSIONS_WAIT));
    }

    /** The running statements, or, if none runs, every client session (LOCK TABLES blocks while idle). */
    private List<ClientSessions.Session> blockers(MySqlSession s) {
        List<ClientSessions.Session> running = sessions.running(s);
        return running.isEmpty() ? sessions.all(s) : running;
    }

    private RuntimeException givenUp(MySqlSession s, List<ClientSessions.Session> blockers) {
        List<FenceAccounts.Account> unlocked = lift(s);
        return Failures.fatal(
                Failures.FREEZE_TIMEOUT,
                "the freeze of " + spec.source().address() + " gave up after "
                        + spec.cutover().freezeTimeout().toSeconds()
                        + " s (cutover.freezeTimeout): read_only waited for "
                        + (blockers.isEmpty()
                                ? "a lock no client session showed"
                                : "these sessions on the source: " + blockers)
                        + ". Writes are let through again (read_only off, " + unlocked.size()
                        + " accounts unlocked) and the target"
                        + " was not touched. Let those statements finish, or set cutover.endBlockingSessions: true to end such"
                        + " sessions at the freeze, then start the cutover again.");
    }

    /** Takes the whole fence down: read_only off (and no longer persisted), then the accounts it locked unlocked. */
    List<FenceAccounts.Account> lift(MySqlSession s) {
        readOnly.off(s);
        return accounts.unlock(s);
    }

    /**
     * What is not fenced on the source, for the proof at promotion; empty when the fence holds.
     * Client sessions an exempt account opened since the freeze are ended first; one that does not
     * end in time (a killed transaction still rolling back) is no hole in the fence, which still
     * holds, so that is a retryable failure, not a reason to roll back.
     */
    List<String> gaps(MySqlSession s) {
        List<String> gaps = new ArrayList<>(readOnly.gaps(s));
        List<FenceAccounts.Account> open = accounts.open(s);
        if (!open.isEmpty()) gaps.add("accounts may log in: " + open);
        if (gaps.isEmpty()) sessions.endAll(s, PROOF_SESSIONS_WAIT);
        return gaps;
    }
}
