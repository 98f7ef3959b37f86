package dev.switchover.activities.traffic;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.TrafficSwitchResult;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.PgBouncerSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic moved by PgBouncer, one method per runbook step: pause the database's clients before the
 * source is frozen, point the database at the new primary after promotion, resume them; or, if
 * the cutover is rolled back, resume them on the source. Clients keep their connections to
 * PgBouncer throughout and only wait.
 *
 * <p>Each step first proves it talks to the right PgBouncer about the right database: the console
 * at the spec's address listens on the spec's port, has the database, and the configuration file
 * it names (or the spec's {@code configFile}) holds the same database pointing where the console
 * says, at the source or the target and nowhere else.
 */
public final class PgBouncerSwitch implements TrafficSwitcher {
    private static final Logger log = LoggerFactory.getLogger(PgBouncerSwitch.class);

    /**
     * How long PAUSE may wait for the transactions running through PgBouncer to finish. Clients
     * queue meanwhile; past this the cutover gives up and resumes them rather than hold them longer.
     */
    static final Duration PAUSE_TIMEOUT = Duration.ofSeconds(30);

    private final Hosts hosts;

    public PgBouncerSwitch(Hosts hosts) {
        this.hosts = hosts;
    }

    /** Where the database entry points and what the console and the file say about it. */
    private record State(
            PgBouncerConsole console,
            PgBouncerConsole.Snapshot seen,
            PgBouncerConsole.Database db,
            String file,
            PgBouncerIni.Entry entry,
            String fileText) {}

    @Override
    public List<Check> preflight(MigrationSpec spec, Runnable heartbeat) {
        return List.of(check(spec, heartbeat));
    }

    /** Preflight: everything the steps will rely on, and the entry pointing at the source. */
    public Check check(MigrationSpec spec, Runnable heartbeat) {
        State s = prove(spec, heartbeat);
        requireAt(spec, s, spec.source().address(), spec.source().database().port(), "before the migration");
        String poolMode =
                s.db().poolMode().isEmpty() ? s.seen().config().getOrDefault("pool_mode", "") : s.db().poolMode();
        String found = "database " + s.db().name() + " on PgBouncer " + address(spec) + " points at the source "
                + s.db().host() + ":" + s.db().port() + " (" + s.file() + "), pool_mode " + poolMode;
        if (poolMode.equals("session")) {
            return Check.warn(
                    "pgbouncer",
                    found + ": PAUSE waits until every client of " + s.db().name() + " disconnects,"
                            + " so with long-lived connections the pause gives up after " + PAUSE_TIMEOUT.toSeconds()
                            + " s and the"
                            + " cutover rolls back. Use pool_mode = transaction for a cutover that clients only wait through.");
        }
        return Check.ok("pgbouncer", found);
    }

    /**
     * PAUSE: PgBouncer waits for the database's running transactions, closes its server
     * connections and holds new queries. Idempotent: PAUSE of a paused database is accepted again
     * and returns once the pause is complete.
     */
    @Override
    public TrafficSwitchResult pause(MigrationSpec spec, Runnable heartbeat) {
        State s = prove(spec, heartbeat);
        requireAt(spec, s, spec.source().address(), spec.source().database().port(), "before promotion");
        boolean wasPaused = s.db().paused();
        PgBouncerConsole.After paused = s.console().execute("PAUSE " + s.db().name(), s.db().name(), PAUSE_TIMEOUT);
        if (!paused.inTime()) {
            throw Failures.fatal(
                    Failures.TRAFFIC_NOT_PAUSED,
                    "PgBouncer " + address(spec) + " could not pause "
                            + s.db().name() + " within " + PAUSE_TIMEOUT.toSeconds()
                            + " s: transactions through it were still"
                            + " running. The cutover is rolled back and its clients resumed on the source; look for long"
                            + " transactions (or pool_mode = session, where PAUSE waits for clients to disconnect) and start again.");
        }
        confirmPaused(spec, paused.database(), true);
        log.info("pgbouncer {}: {} {}", address(spec), s.db().name(), wasPaused ? "was already paused" : "paused");
        return new TrafficSwitchResult(
                "pgbouncer", s.db().name() + (wasPaused ? " was already paused" : " paused") + " on " + address(spec));
    }

    /**
     * Points the database's [databases] line at the target, then RELOAD, while its clients are held.
     * Idempotent: a file already pointing at the target is not written again, and RELOAD runs until
     * the console agrees with the file. Refuses an entry pointing anywhere but the source or the
     * target, and a database that is not paused.
     */
    @Override
    public TrafficSwitchResult repoint(MigrationSpec spec, Runnable heartbeat) {
        State s = prove(spec, heartbeat);
        // Before promotion the target is a read-only standby: only held clients may be pointed at it.
        if (!s.db().paused()) {
            throw Failures.fatal(
                    Failures.TRAFFIC_NOT_PAUSED,
                    "PgBouncer " + address(spec) + " is not holding "
                            + s.db().name() + " (not paused), so switchover will not point it at "
                            + spec.target().address()
                            + ": its clients would reach the target before it is primary. Did somebody RESUME it?");
        }
        return new TrafficSwitchResult(
                "pgbouncer",
                repoint(
                                spec,
                                s,
                                spec.target().address(),
                                spec.target().database().port())
                        .detail());
    }

    /** RESUME after the repoint. Idempotent: a running database is left as it is. Refuses unless it points at the target. */
    @Override
    public TrafficSwitchResult resume(MigrationSpec spec, Runnable heartbeat) {
        State s = prove(spec, heartbeat);
        requireAt(spec, s, spec.target().address(), spec.target().database().port(), "after the repoint");
        return new TrafficSwitchResult("pgbouncer", resume(spec, s.console(), s.db(), "the new primary"));
    }

    /**
     * The undo of {@link #pause} when the cutover is rolled back before promotion: the entry pointed
     * back at the source if the repoint had moved it (clients are still held, so none reached the
     * target), then RESUME. Idempotent like {@link #resume}; refuses an entry pointing anywhere but
     * the source or the target.
     */
    @Override
    public TrafficSwitchResult resumeOnSource(MigrationSpec spec, Runnable heartbeat) {
        State s = prove(spec, heartbeat);
        String source = spec.source().address();
        int sourcePort = spec.source().database().port();
        String back = "";
        PgBouncerConsole.Database db = s.db();
        if (!(at(s.entry(), source, sourcePort) && source.equals(db.host()))) {
            if (!s.db().paused()) {
                throw Failures.fatal(
                        Failures.WRONG_HOST,
                        "PgBouncer " + address(spec) + " routes " + db.name() + " to "
                                + db.host() + ":" + db.port()
                                + " and is not paused: clients may already use that server, so switchover"
                                + " will not point them back at the source " + source
                                + ". Check which server is primary.");
            }
            Repointed r = repoint(spec, s, source, sourcePort);
            db = r.db();
            back = r.detail() + "; ";
        }
        return new TrafficSwitchResult("pgbouncer", back + resume(spec, s.console(), db, "the source"));
    }

    /** The database's row as the console shows it after the repoint, which it has checked. */
    private record Repointed(PgBouncerConsole.Database db, String detail) {}

    /** Points the entry at {@code target} from the other end of the migration, and RELOADs. */
    private Repointed repoint(MigrationSpec spec, State s, String target, int targetPort) {
        boolean toSource = target.equals(spec.source().address());
        boolean fileDone = at(s.entry(), target, targetPort);
        if (!fileDone) {
            // The file at the other end; the console at either (the proof allows it one RELOAD behind).
            String from = toSource ? spec.target().address() : spec.source().address();
            int fromPort = toSource
                    ? spec.target().database().port()
                    : spec.source().database().port();
            if (!at(s.entry(), from, fromPort)) {
                throw Failures.fatal(
                        Failures.WRONG_HOST,
                        "PgBouncer " + address(spec) + ": " + s.file() + " points "
                                + s.db().name() + " at " + s.entry().host() + ":"
                                + s.entry().port() + ", but it must point at " + from
                                + ":" + fromPort + " before switchover moves it to " + target + ":" + targetPort
                                + ". Somebody else"
                                + " changed it: check which server is primary, fix the entry by hand and RESUME "
                                + s.db().name()
                                + " on the admin console if it is paused.");
            }
            RemoteHost host = hosts.ssh(spec.traffic().pgbouncer().host());
            String moved = new PgBouncerIni(s.fileText()).pointedAt(s.db().name(), target, targetPort);
            if (!host.replaceFile(s.file(), s.fileText(), moved)) {
                throw new IllegalStateException(
                        s.file() + " on " + address(spec) + " changed while switchover read it; retrying");
            }
            log.info(
                    "pgbouncer {}: {} in {} now points at {}:{}",
                    address(spec),
                    s.db().name(),
                    s.file(),
                    target,
                    targetPort);
        }
        boolean consoleDone =
                target.equals(s.db().host()) && Integer.toString(targetPort).equals(s.db().port());
        PgBouncerConsole.Database after = consoleDone
                ? s.db()
                : s.console()
                        .execute("RELOAD", s.db().name(), Duration.ofSeconds(30))
                        .database();
        if (after == null
                || !target.equals(after.host())
                || !Integer.toString(targetPort).equals(after.port())) {
            throw new IllegalStateException("PgBouncer " + address(spec) + " still routes " + s.db().name() + " to "
                    + (after == null ? "nothing" : after.host() + ":" + after.port()) + " after RELOAD, although "
                    + s.file()
                    + " points it at " + target + ":" + targetPort + "; retrying");
        }
        return new Repointed(
                after,
                s.db().name() + (fileDone && consoleDone ? " already pointed" : " pointed") + " at " + target + ":"
                        + targetPort + " in " + s.file() + " and reloaded");
    }

    private String resume(MigrationSpec spec, PgBouncerConsole console, PgBouncerConsole.Database db, String where) {
        PgBouncerConsole.Database now = db.paused()
                ? console.execute("RESUME " + db.name(), db.name(), Duration.ofSeconds(30))
                        .database()
                : db;
        confirmPaused(spec, now, false);
        log.info("pgbouncer {}: {} {} on {}", address(spec), db.name(), db.paused() ? "resumed" : "was running", where);
        return db.name() + (db.paused() ? " resumed" : " was already running") + " on " + where + " " + db.host() + ":"
                + db.port();
    }

    private void confirmPaused(MigrationSpec spec, PgBouncerConsole.Database now, boolean paused) {
        if (now == null || now.paused() != paused) {
            throw new IllegalStateException("PgBouncer " + address(spec) + " reports "
                    + spec.traffic().pgbouncer().database() + (paused ? " not paused" : " still paused")
                    + " right after " + (paused ? "PAUSE" : "RESUME") + "; retrying");
        }
    }

    /**
     * Proves that the console at the spec's address is the PgBouncer whose file this is and that
     * both know the database, and that they agree where it points (or the file is one step ahead:
     * written but not yet reloaded).
     */
    private State prove(MigrationSpec spec, Runnable heartbeat) {
        PgBouncerSpec p = spec.traffic().pgbouncer();
        RemoteHost host = hosts.ssh(p.host());
        PgBouncerConsole console = new PgBouncerConsole(
                host, p, hosts.secret("traffic.pgbouncer.adminPassword", p.adminPassword()), heartbeat);
        PgBouncerConsole.Snapshot seen = console.snapshot();
        Map<String, String> config = seen.config();
        if (!Integer.toString(p.port()).equals(config.get("listen_port"))) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    "the PgBouncer answering at " + address(spec) + " listens on port "
                            + config.get("listen_port") + " by its own configuration, not " + p.port()
                            + ": it is not the one the"
                            + " spec names. Check traffic.pgbouncer.address and port.");
        }
        PgBouncerConsole.Database db = seen.database(p.database());
        if (db == null) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    "PgBouncer " + address(spec) + " has no database '" + p.database()
                            + "' (SHOW DATABASES). Write the name of its [databases] entry in traffic.pgbouncer.database.");
        }
        String file = p.configFile() != null ? p.configFile() : config.get("conffile");
        if (file == null || file.isBlank()) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "PgBouncer " + address(spec) + " does not name its configuration"
                            + " file in SHOW CONFIG; write it in traffic.pgbouncer.configFile.");
        }
        String text = host.readFile(file);
        PgBouncerIni.Entry entry = new PgBouncerIni(text).entry(p.database());
        if (entry == null) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    file + " on " + p.address() + " has no line for " + p.database()
                            + " in [databases] (an %include'd file, or the * fallback?). Name the file holding it in"
                            + " traffic.pgbouncer.configFile, or give the database its own line.");
        }
        boolean agree = entry.host().equals(db.host()) && entry.port().equals(db.port());
        // The file one RELOAD ahead of the console, towards either end: a step that wrote it was
        // interrupted before its RELOAD, and its retry finishes the move.
        boolean ahead = at(
                                entry,
                                spec.target().address(),
                                spec.target().database().port())
                        && spec.source().address().equals(db.host())
                || at(entry, spec.source().address(), spec.source().database().port())
                        && spec.target().address().equals(db.host());
        if (!agree && !ahead) {
            throw Failures.fatal(
                    Failures.WRONG_HOST,
                    "PgBouncer " + address(spec) + " routes " + p.database() + " to "
                            + db.host() + ":" + db.port() + ", but " + file + " on that host says " + entry.host() + ":"
                            + entry.port()
                            + ": this file is not the running PgBouncer's configuration, or it was edited without a RELOAD. Set"
                            + " traffic.pgbouncer.configFile, or RELOAD, and start again.");
        }
        return new State(console, seen, db, file, entry, text);
    }

    /** The step needs the entry at one end; anything else means somebody else moved it. */
    private static void requireAt(MigrationSpec spec, State s, String address, int port, String when) {
        if (at(s.entry(), address, port) && address.equals(s.db().host())) return;
        throw Failures.fatal(
                Failures.WRONG_HOST,
                "PgBouncer " + address(spec) + " routes " + s.db().name() + " to "
                        + s.db().host() + ":" + s.db().port() + " (" + s.file() + "), but " + when
                        + " it must point at " + address
                        + ":" + port
                        + ". Somebody else changed it: check which server is primary, fix the entry by hand and RESUME "
                        + s.db().name() + " on the admin console if it is paused.");
    }

    private static boolean at(PgBouncerIni.Entry entry, String address, int port) {
        return entry.host().equals(address) && entry.port().equals(Integer.toString(port));
    }

    private static String address(MigrationSpec spec) {
        return spec.traffic().pgbouncer().address() + ":"
                + spec.traffic().pgbouncer().port();
    }
}
