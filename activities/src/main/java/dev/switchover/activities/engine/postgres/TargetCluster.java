package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target's data directory and service, seen over SSH. A marker file beside the directory
 * ({@code .switchover-<dir name>}) says whether it holds this migration's unfinished or complete
 * copy, so a retried copy knows what it may delete and what it may skip. The running server is
 * asked over the target's admin login what its files cannot say (its databases, whether it streams).
 */
final class TargetCluster {
    /** Logged as the engine, as before the engine was split into its steps: operators' filters name it. */
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);

    /**
     * The server binaries of PostgreSQL {@code $1} on the target: the packages' places, then
     * pg_config's if its postgres is that major (Debian's pg_config names the newest installed,
     * which a 15 source's copy must not take for its own).
     */
    static final String FIND_BINDIR = "for d in \"/usr/lib/postgresql/$1/bin\" \"/usr/pgsql-$1/bin\"; do"
            + " [ -x \"$d/pg_ctl\" ] && { echo \"$d\"; exit 0; }; done;"
            + " d=$(pg_config --bindir 2>/dev/null) && [ -x \"$d/pg_ctl\" ] || exit 1;"
            + " case \"$(\"$d/postgres\" --version)\" in *\" $1.\"*) echo \"$d\"; exit 0 ;; esac; exit 1";

    private final RemoteHost host;
    private final MigrationSpec spec;
    private final String dir;
    private final String bindir;
    private final String os;
    private final PgLogins logins;

    TargetCluster(RemoteHost host, MigrationSpec spec, String dir, String bindir, PgLogins logins) {
        this.host = host;
        this.spec = spec;
        this.dir = dir.endsWith("/") && dir.length() > 1 ? dir.substring(0, dir.length() - 1) : dir;
        this.bindir = bindir;
        this.os = spec.target().database().osUser();
        this.logins = logins;
    }

    /** The major version in a server_version, whose binaries the target needs. */
    static String major(String version) {
        return version.split("[ .]")[0];
    }

    String directory() {
        return dir;
    }

    private String marker() {
        int slash = dir.lastIndexOf('/');
        return dir.substring(0, slash + 1) + ".switchover-" + dir.substring(slash + 1);
    }

    boolean exists() {
        return host.run(Command.of("test", "-d", dir)).ok();
    }

    boolean isEmpty() {
        CommandResult r = host.run(Command.of("find", dir, "-mindepth", "1", "-maxdepth", "1", "-print", "-quit"));
        return r.ok() && r.stdout().isBlank();
    }

    /** pg_ctl status: 0 running, 3 not running, 4 not a data directory. */
    boolean running() {
        return host.run(Command.of(bindir + "/pg_ctl", "status", "-D", dir).asUser(os))
                        .exitCode()
                == 0;
    }

    private String controlData(String field) {
        CommandResult r = host.run(Command.of(bindir + "/pg_controldata", dir).withEnv("LC_ALL", "C"));
        if (!r.ok()) return null;
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith(field + ":"))
                return line.substring(field.length() + 1).strip();
        }
        return null;
    }

    String systemIdentifier() {
        return controlData("Database system identifier");
    }

    /** From the control file and standby.signal, so it is known even while the server is down. */
    Boolean controlInRecovery() {
        if (host.run(Command.of("test", "-e", dir + "/standby.signal")).ok()) return true;
        String state = controlData("Database cluster state");
        if (state == null) return null;
        return state.contains("recovery");
    }

    /** The marker's state, source identifier and migration name, or null without a marker. */
    private String[] markerWords() {
        CommandResult r = host.run(Command.of("cat", marker()));
        if (!r.ok()) return null;
        String[] words = r.stdout().strip().split("\\s+");
        return words.length >= 3 ? words : null;
    }

    /** The source system identifier of a copy by this migration in {@code state}, or null. */
    private String copyOf(String state) {
        String[] words = markerWords();
        return words != null && state.equals(words[0]) && spec.name().equals(words[2]) ? words[1] : null;
    }

    /** The source system identifier of an unfinished copy by this migration, or null. */
    String unfinishedCopyOf() {
        return copyOf("unfinished");
    }

    String completeCopyOf() {
        return copyOf("complete");
    }

    void markUnfinished(String sourceId) {
        host.writeFile(marker(), "unfinished " + sourceId + " " + spec.name() + "\n", "0644", null);
    }

    void markComplete(String sourceId) {
        host.writeFile(marker(), "complete " + sourceId + " " + spec.name() + "\n", "0644", null);
    }

    void stop() {
        if (!running()) return;
        host.run(Command.of("sh", "-c", spec.target().database().serviceStop()).withTimeout(Duration.ofMinutes(5)))
                .orThrow("stopping PostgreSQL on the target");
        Instant until = Instant.now().plusSeconds(60);
        while (running()) {
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException("PostgreSQL on " + spec.target().address() + " still runs 60s after `"
                        + spec.target().database().serviceStop() + "`");
            }
            Pause.sleep(Duration.ofMillis(100));
        }
    }

    void start() {
        host.run(Command.of("sh", "-c", spec.target().database().serviceStart()).withTimeout(Duration.ofMinutes(5)))
                .orThrow("starting PostgreSQL on the target");
    }

    /** Deletes the directory's contents (not the directory, whose mount and ownership stay). */
    void empty() {
        host.run(Command.of("install", "-d", "-o", os, "-m", "0700", dir)).orThrow("creating " + dir);
        host.run(Command.of("find", dir, "-mindepth", "1", "-delete").withTimeout(Duration.ofHours(1)))
                .orThrow("emptying " + dir);
    }

    DataDirectoryGuard.Facts facts() {
        return facts(running());
    }

    /** The target's facts for the wipe guard, asked of the running server where it runs. */
    private DataDirectoryGuard.Facts facts(boolean running) {
        List<String> userDbs = null;
        long userTables = -1;
        Boolean inRecovery = controlInRecovery();
        if (running) {
            try (PgSession t = logins.target(spec, false)) {
                userDbs = t
                        .rows(
                                "SELECT datname FROM pg_database WHERE datname NOT IN ('postgres','template0','template1')")
                        .stream()
                        .map(row -> row.get(0))
                        .toList();
                userTables = Long.parseLong(
                        t.one("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE c.relkind IN ('r','p','m') AND n.nspname NOT IN ('pg_catalog','information_schema')"
                                + " AND n.nspname NOT LIKE 'pg_toast%'"));
                inRecovery = "t".equals(t.one("SELECT pg_is_in_recovery()"));
            } catch (RuntimeException e) {
                log.info(
                        "target {}: cannot look inside the running cluster with its own credentials: {}",
                        spec.target().address(),
                        e.getMessage());
            }
        }
        return new DataDirectoryGuard.Facts(
                directory(),
                exists(),
                isEmpty(),
                systemIdentifier(),
                inRecovery,
                userDbs,
                userTables,
                unfinishedCopyOf());
    }

    /** Whether the running target is a standby of this source, receiving WAL from it. */
    private boolean streamsFrom(String sourceId) {
        try (PgSession t = logins.target(spec, true)) {
            List<String> row =
                    t.row("SELECT pg_is_in_recovery()::text, (SELECT system_identifier::text FROM pg_control_system()),"
                            + " (SELECT status FROM pg_stat_wal_receiver)");
            return row != null
                    && "true".equals(row.get(0))
                    && sourceId.equals(row.get(1))
                    && "streaming".equals(row.get(2));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Running, in recovery, with the source's identifier, and streaming; waits up to {@code wait}. */
    boolean isStreamingStandbyOf(String sourceId, Duration wait) {
        Instant until = Instant.now().plus(wait);
        do {
            // The login first: it fails fast while the server starts, and pg_ctl status (the server
            // is the one in this directory) is asked only of one that streams.
            if (streamsFrom(sourceId) && running()) return true;
            if (wait.isZero()) return false;
            // A fresh standby streams within a second or two: coarse polling would add to every copy.
            Pause.sleep(Duration.ofMillis(50));
        } while (Instant.now().isBefore(until));
        return false;
    }
}
