package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Raises, proves and lowers the source's fence ({@link PgFence}) over the admin session. Raised:
 * pg_hba refuses every login but switchover's own and physical replication, no other client
 * session is left, and {@code default_transaction_read_only} makes switchover's own sessions
 * read-only too. All of it is in files (pg_hba.conf, postgresql.auto.conf), so it outlives a
 * restart of the server or the host.
 */
final class SourceFence {
    /** How long the source gets to apply a reload and to end its sessions. */
    static final Duration WAIT = Duration.ofSeconds(30);
    /** Clients wait through the freeze: every poll adds to their pause. */
    private static final Duration POLL = Duration.ofMillis(20);

    private SourceFence() {}

    /**
     * Raises the fence and returns how many client sessions it ended. Idempotent: a raised fence is
     * not written again. {@code newLogin} opens a fresh admin session: it must still pass the fence,
     * or the fence is taken down again at once (a fence that shuts switchover out could never be
     * proved or lowered).
     */
    static int raise(PgSession s, RemoteHost host, MigrationSpec spec, Supplier<PgSession> newLogin) {
        return raise(s, host, spec, newLogin, List.of());
    }

    /**
     * As {@link #raise(PgSession, RemoteHost, MigrationSpec, Supplier)}, with {@code doors} (whole
     * pg_hba lines) open too: a logical copy's subscriptions must log in to their databases until
     * they have confirmed the final position.
     */
    static int raise(
            PgSession s, RemoteHost host, MigrationSpec spec, Supplier<PgSession> newLogin, List<String> doors) {
        s.execute("ALTER SYSTEM SET default_transaction_read_only = on");
        String file = s.one("SHOW hba_file");
        String content = host.readFile(file);
        PgFence.Marks marks = PgFence.Marks.freeze(spec.name());
        if (!PgFence.isFenced(content, marks)) {
            host.writeFile(file, PgFence.withFence(content, marks, adminDoor(s), doors), null, null);
        }
        reload(s, "on", spec.source().address());
        String errors = s.one("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL");
        if (!"0".equals(errors)) {
            lower(s, host, spec);
            throw new IllegalStateException(
                    file + " on " + spec.source().address() + " has " + errors + " invalid lines with"
                            + " the fence in it (see pg_hba_file_rules); the fence was taken down and the source is writable");
        }
        try (PgSession check = newLogin.get()) {
            check.one("SELECT 1");
        } catch (RuntimeException e) {
            lower(s, host, spec);
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    "with the fence in " + file + ", switchover's own login to the source "
                            + spec.source().address() + " was refused (" + e.getMessage()
                            + "), so it was taken down again and the source is writable. The"
                            + " fence admits " + adminDoor(s).line() + "; check that this is how the worker logs in.");
        }
        return endOtherSessions(s, spec.source().address());
    }

    /** Takes the fence down: the block out of pg_hba.conf, the read-only default reset, reloaded. */
    static void lower(PgSession s, RemoteHost host, MigrationSpec spec) {
        String file = s.one("SHOW hba_file");
        String content = host.readFile(file);
        String without = PgFence.withoutFence(content, spec.name());
        if (!without.equals(content)) host.writeFile(file, without, null, null);
        s.execute("ALTER SYSTEM RESET default_transaction_read_only");
        reload(s, "off", spec.source().address());
    }

    /**
     * The proof promotion needs from the source: the fence is in place and in force, no client
     * session but this one is left, and the source's WAL ends where this returns. The target must
     * reach that position before it is promoted: then it holds everything the source ever wrote,
     * whatever slipped in after the freeze (checkpoints, a restart's records, anything at all).
     */
    static String prove(PgSession s, MigrationSpec spec, String address) {
        String content = s.one("SELECT pg_read_file(current_setting('hba_file'))");
        if (!PgFence.isFenced(content, spec.name())) {
            throw Failures.fatal(
                    Failures.SOURCE_NOT_FENCED,
                    "the source " + address + " is no longer fenced: its pg_hba.conf"
                            + " does not start with switchover's fence for " + spec.name()
                            + ", so clients may write there. Nothing"
                            + " was promoted; the target is still a standby.");
        }
        if ("t".equals(s.one("SELECT pg_is_in_recovery()"))) {
            throw Failures.fatal(
                    Failures.SOURCE_NOT_FENCED,
                    "the source " + address + " is in recovery now: somebody"
                            + " changed it since the freeze. Nothing was promoted; the target is still a standby.");
        }
        reload(s, "on", address);
        endOtherSessions(s, address);
        return s.one("SELECT pg_current_wal_flush_lsn()::text");
    }

    /** How the worker's admin session came in, which the fence must keep admitting. */
    static PgFence.AdminDoor adminDoor(PgSession s) {
        List<String> r = s.row(
                "SELECT current_user::text, host(inet_client_addr()),"
                        + " coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)::text,"
                        + " coalesce((SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = current_user), true)::text");
        if (r.get(1) == null)
            throw new IllegalStateException(
                    "the admin session to the source is not over TCP: the fence needs its address");
        // md5 in pg_hba also accepts a SCRAM verifier (by SCRAM): it is named only for an md5 one.
        return new PgFence.AdminDoor(
                r.get(0), r.get(1), "true".equals(r.get(2)), "true".equals(r.get(3)) ? "scram-sha-256" : "md5");
    }

    /**
     * Reloads and waits until this session sees the read-only default at {@code expected}: the
     * postmaster re-reads pg_hba.conf before it signals its children, so from then on every new
     * login meets the new rules.
     */
    private static void reload(PgSession s, String expected, String address) {
        s.execute("SELECT pg_reload_conf()");
        Pause.until(WAIT, POLL, () -> expected.equals(s.one("SHOW default_transaction_read_only")));
        if (!expected.equals(s.one("SHOW default_transaction_read_only"))) {
            throw new IllegalStateException("the source " + address + " did not apply default_transaction_read_only = "
                    + expected + " within " + WAIT.toSeconds() + "s of pg_reload_conf()"
                    + ("off".equals(expected) ? "; is it set in postgresql.conf too?" : ""));
        }
    }

    /**
     * Ends every client session but this one, again until none is left: one that was logging in
     * when the fence went up passed the old rules and shows up only after it finished. The sessions
     * are listed first: in one WHERE clause the planner may run the cheaper pg_terminate_backend()
     * before the test that spares this session.
     */
    static int endOtherSessions(PgSession s, String address) {
        java.util.Set<String> ended = new java.util.HashSet<>();
        long until = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<String> pids = s
                    .rows("SELECT pid::text FROM pg_stat_activity WHERE backend_type = 'client backend'"
                            + " AND pid <> pg_backend_pid()")
                    .stream()
                    .map(row -> row.get(0))
                    .toList();
            if (pids.isEmpty()) return ended.size();
            if (System.nanoTime() > until) {
                throw new IllegalStateException(
                        pids.size() + " sessions on the source " + address + " did not end within " + WAIT.toSeconds()
                                + "s of pg_terminate_backend(); new logins are refused, the freeze will be retried");
            }
            String array = "{" + String.join(",", pids) + "}";
            s.execute("SELECT pg_terminate_backend(pid) FROM unnest(?::int[]) AS pid", array);
            ended.addAll(pids);
            Pause.until(
                    WAIT,
                    POLL,
                    () -> "0".equals(s.one("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(?::int[])", array)));
        }
    }
}
