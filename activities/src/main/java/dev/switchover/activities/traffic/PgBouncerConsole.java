package dev.switchover.activities.traffic;

import dev.switchover.activities.secrets.Secret;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.PgBouncerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PgBouncer's admin console, reached with {@code psql} run over SSH on the PgBouncer host. pgjdbc
 * cannot talk to the console (it sends a {@code SET} at connect, which the console refuses), and
 * psql on the host needs nothing opened to the worker. The password travels through stdin into
 * {@code PGPASSWORD}, never through an argv; results come back as CSV.
 */
final class PgBouncerConsole {
    /** A console command answers at once; PAUSE waits for running transactions, so it gets its own. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final RemoteHost host;
    private final PgBouncerSpec spec;
    private final Secret password;
    private final Runnable heartbeat;

    PgBouncerConsole(RemoteHost host, PgBouncerSpec spec, Secret password, Runnable heartbeat) {
        this.host = host;
        this.spec = spec;
        this.password = password;
        this.heartbeat = heartbeat;
    }

    /** One row of {@code SHOW DATABASES}, the columns this switch relies on. */
    record Database(String name, String host, String port, String dbname, String poolMode, boolean paused) {
        static Database of(Map<String, String> row) {
            return new Database(
                    row.get("name"),
                    row.getOrDefault("host", ""),
                    row.getOrDefault("port", ""),
                    row.getOrDefault("database", ""),
                    row.getOrDefault("pool_mode", ""),
                    "1".equals(row.get("paused")));
        }
    }

    /** {@code SHOW CONFIG} as key → value, and {@code SHOW DATABASES}, as one login saw them. */
    record Snapshot(Map<String, String> config, List<Map<String, String>> databases) {
        /** The row for {@code name}, or null if PgBouncer has no such database. */
        Database database(String name) {
            for (Map<String, String> row : databases) {
                if (name.equals(row.get("name"))) return Database.of(row);
            }
            return null;
        }
    }

    /**
     * What a command left behind: whether it ended in time, and the database's row read right
     * after it in the same login.
     */
    record After(boolean inTime, Database database) {}

    /** SHOW CONFIG and SHOW DATABASES in one psql run: every login costs an SSH exec and a TLS handshake. */
    Snapshot snapshot() {
        List<List<Map<String, String>>> results =
                run(COMMAND_TIMEOUT, COMMAND_TIMEOUT, "SHOW CONFIG", "SHOW DATABASES");
        Map<String, String> config = new LinkedHashMap<>();
        for (Map<String, String> row : results.get(0)) config.put(row.get("key"), row.get("value"));
        return new Snapshot(config, results.get(1));
    }

    /**
     * Runs a command that returns no rows (PAUSE, RESUME, RELOAD) and reads the database's row in
     * the same psql run, so the step sees its effect without another login; {@code inTime} false
     * if the command did not end within {@code timeout}.
     */
    After execute(String command, String database, Duration timeout) {
        List<List<Map<String, String>>> results;
        try {
            results = run(timeout.plusSeconds(5), timeout, command, "SHOW DATABASES");
        } catch (NotInTime e) {
            return new After(false, null);
        }
        return new After(true, new Snapshot(Map.of(), results.get(1)).database(database));
    }

    /** psql was stopped by its own timeout: the command itself did not end in time. */
    private static final class NotInTime extends RuntimeException {
        NotInTime() {
            super(null, null, false, false);
        }
    }

    /**
     * Runs {@code commands} in one psql and returns each one's rows. {@code statementTimeout}
     * bounds psql itself (so a PAUSE that waits too long ends as a clean "did not end in time"
     * rather than a killed SSH command); {@code commandTimeout} is the backstop.
     */
    private List<List<Map<String, String>>> run(
            Duration commandTimeout, Duration statementTimeout, String... commands) {
        String conninfo = "host=" + spec.address() + " port=" + spec.port() + " user=" + spec.adminUser()
                + " dbname=pgbouncer sslmode=prefer connect_timeout=10";
        List<String> argv = new ArrayList<>(List.of(
                "timeout",
                Math.max(1, statementTimeout.toSeconds()) + "s",
                "sh",
                "-c",
                NEWEST_PSQL,
                "psql",
                "-X",
                "-q",
                "--csv",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                conninfo));
        for (int i = 0; i < commands.length; i++) {
            if (i > 0) argv.addAll(List.of("-c", "\\echo " + SEPARATOR));
            argv.addAll(List.of("-c", commands[i]));
        }
        CommandResult r = host.run(Command.of(argv.toArray(String[]::new))
                .withSecretEnv("PGPASSWORD", password)
                .withTimeout(commandTimeout.plusSeconds(10))
                .withHeartbeat(heartbeat));
        if (r.exitCode() == 124 || r.exitCode() == 137) throw new NotInTime();
        throwIfFailed(r, String.join("; ", commands));
        List<List<Map<String, String>>> results = new ArrayList<>();
        for (String part : (r.stdout() + "\n").split("(?m)^" + SEPARATOR + "\n", -1)) results.add(Csv.parse(part));
        if (results.size() != commands.length) {
            throw new IllegalStateException(
                    "PgBouncer's admin console at " + spec.address() + ":" + spec.port() + " answered " + results.size()
                            + " results to " + commands.length + " commands (" + String.join("; ", commands) + ")");
        }
        return results;
    }

    /**
     * Runs the newest psql binary installed, else the one on PATH. Debian's {@code psql} is a Perl
     * wrapper that picks a version: about 45 ms of every call, which clients held by PAUSE wait
     * through. The newest, because {@code --csv} needs psql 12.
     */
    static final String NEWEST_PSQL = "b=$(ls -d /usr/lib/postgresql/*/bin/psql /usr/pgsql-*/bin/psql 2>/dev/null"
            + " | sort -V | tail -n 1); exec \"${b:-psql}\" \"$@\"";

    /** Between two commands' CSV: a line no SHOW output has. */
    private static final String SEPARATOR = "--switchover-next-result--";

    private void throwIfFailed(CommandResult r, String command) {
        if (r.ok()) return;
        String err = r.stderr().strip();
        String where = "PgBouncer's admin console at " + spec.address() + ":" + spec.port();
        if (r.exitCode() == 127) {
            throw Failures.fatal(
                    Failures.PREFLIGHT_FAILED,
                    "there is no psql on the PgBouncer host " + spec.address()
                            + "; switchover speaks to the admin console with it. Install postgresql-client there.");
        }
        if (err.contains("password authentication failed")
                || err.contains("SASL authentication failed")
                || err.contains("not allowed")
                || err.contains("no such user")) {
            throw Failures.fatal(
                    Failures.BAD_CREDENTIALS,
                    where + " refused " + spec.adminUser() + ": " + err
                            + ". Check the password traffic.pgbouncer.adminPassword refers to (" + spec.adminPassword()
                            + "), auth_file, and that " + spec.adminUser() + " is in admin_users.");
        }
        throw new IllegalStateException(where + ": " + command + " failed (psql exited " + r.exitCode() + "): " + err);
    }

    /** Just enough CSV for psql's output: quoted fields, doubled quotes, no line breaks in values. */
    static final class Csv {
        static List<Map<String, String>> parse(String text) {
            List<Map<String, String>> rows = new ArrayList<>();
            List<String> header = null;
            for (String line : text.split("\n")) {
                if (line.isEmpty()) continue;
                List<String> fields = fields(line);
                if (header == null) {
                    header = fields;
                    continue;
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.size() && i < fields.size(); i++) row.put(header.get(i), fields.get(i));
                rows.add(row);
            }
            return rows;
        }

        static List<String> fields(String line) {
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        f.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    fields.add(f.toString());
                    f.setLength(0);
                } else {
                    f.append(c);
                }
            }
            fields.add(f.toString());
            return fields;
        }

        private Csv() {}
    }
}
