package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.spec.MigrationSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a logical copy moves before the data: the roles with their passwords and memberships, then
 * each database's schema, taken by the target's own (newer) pg_dump, as PostgreSQL advises for an
 * upgrade. The schema goes in two parts: tables, types and functions with the primary keys and
 * unique constraints first, which the subscription's initial copy and its updates need; the other
 * indexes, foreign keys and triggers after the initial copy, when building them is faster than
 * maintaining them row by row (the subscription applies with session_replication_role = replica,
 * so foreign keys and triggers do not act on what it writes either way).
 */
final class LogicalSchema {
    private static final Duration DUMP_TIMEOUT = Duration.ofHours(2);
    /** pg_restore -l's lines for primary keys and unique constraints (foreign keys are "FK CONSTRAINT"). */
    private static final String EARLY = "^[0-9]+; [0-9]+ [0-9]+ CONSTRAINT ";

    /**
     * Column options no other server accepts, dropped from the schema on its way to the target:
     * PostgreSQL 17 as Debian 13 builds it tags every column with {@code pg_attver}, and a newer
     * server refuses the whole table for it ("unrecognized parameter").
     */
    private static final String FOREIGN_OPTIONS =
            "/^ALTER TABLE ONLY .* ALTER COLUMN .* SET \\(pg_attver=[0-9]+\\);$/d";

    private final PgLogins logins;

    LogicalSchema(PgLogins logins) {
        this.logins = logins;
    }

    /**
     * The source's roles onto the target, from pg_dumpall on the source host (run as the cluster's
     * owner over its socket: reading the passwords takes a superuser, and none has to log in over the
     * network for it). The target's admin keeps its own password and attributes: the worker logs in
     * with them. Roles the target has already are altered to the source's; any other error stops.
     */
    String copyRoles(MigrationSpec spec, String targetBindir) {
        RemoteHost source = logins.ssh(spec.source());
        String roles = source.run(Command.of("sh", "-c", "cd / && exec pg_dumpall --roles-only")
                        .asUser(spec.source().database().osUser())
                        .withTimeout(Duration.ofMinutes(5)))
                .orThrow("pg_dumpall --roles-only on the source")
                .stdout();
        String admin = spec.target().database().adminUser();
        Pattern own = Pattern.compile("^(CREATE|ALTER) ROLE (" + Pattern.quote(admin) + "|"
                + Pattern.quote(PgSession.ident(admin)) + ")( WITH .*)?;$");
        List<String> kept = roles.lines().filter(l -> !own.matcher(l).matches()).toList();
        CommandResult r = logins.ssh(spec.target())
                .run(Command.of(targetBindir + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=0", "-d", "postgres")
                        .asUser(spec.target().database().osUser())
                        .withStdin((String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8))
                        .withTimeout(Duration.ofMinutes(5)));
        List<String> errors = r.stderr()
                .lines()
                .filter(l -> l.contains("ERROR:") && !l.matches(".*ERROR:  role \".*\" already exists.*"))
                .toList();
        if (!r.ok() || !errors.isEmpty()) {
            throw new IllegalStateException(
                    "copying the roles to the target " + spec.target().address() + " failed: "
                            + (errors.isEmpty() ? r.stderr().strip() : String.join("; ", errors)));
        }
        return kept.stream().filter(l -> l.startsWith("CREATE ROLE ")).count() + " roles";
    }

    /** The schema file of {@code database} on the target, taken from the source by the target's pg_dump. */
    String dump(MigrationSpec spec, String targetBindir, String database) {
        String file = file(spec, database);
        logins.ssh(spec.target())
                .run(Command.of(
                                targetBindir + "/pg_dump",
                                "-h",
                                spec.source().address(),
                                "-p",
                                String.valueOf(spec.source().database().port()),
                                "-U",
                                spec.replication().user(),
                                "-d",
                                database,
                                "--schema-only",
                                "--no-publications",
                                "--no-subscriptions",
                                "-Fc",
                                "-f",
                                file)
                        .asUser(spec.target().database().osUser())
                        .withEnv("PGSSLMODE", spec.source().database().tls().id())
                        .withEnv("PGAPPNAME", "switchover_" + spec.name())
                        .withSecretEnv("PGPASSWORD", logins.replicationPassword(spec))
                        .withTimeout(DUMP_TIMEOUT))
                .orThrow("pg_dump --schema-only of " + database + " from the source");
        return file;
    }

    /**
     * Creates {@code database} on the target as the source has it (owner, encoding, locale) with its
     * tables and their primary keys and unique constraints. The database must not exist.
     */
    void restoreBeforeData(MigrationSpec spec, String targetBindir, String database, String file) {
        restore(
                spec,
                targetBindir,
                "pg_restore --create --section=pre-data of " + database,
                List.of(
                        "bash",
                        "-c",
                        "set -eo pipefail; b=$1; f=$2; cd /; \"$b/pg_restore\" --create --section=pre-data -f - \"$f\""
                                + " | sed -E '" + FOREIGN_OPTIONS
                                + "' | \"$b/psql\" -X -q -v ON_ERROR_STOP=1 -d template1;"
                                + " l=$f.early; \"$b/pg_restore\" -l --section=post-data \"$f\" | { grep -E '" + EARLY
                                + "' || true; } > \"$l\"; \"$b/pg_restore\" -d \"$3\" -L \"$l\" --exit-on-error \"$f\"",
                        "bash",
                        targetBindir,
                        file,
                        database));
    }

    /** The rest of {@code database}'s schema: indexes, foreign keys, triggers, rules. */
    void restoreAfterData(MigrationSpec spec, String targetBindir, String database, String file) {
        restore(
                spec,
                targetBindir,
                "pg_restore --section=post-data of " + database,
                List.of(
                        "sh",
                        "-c",
                        "set -e; b=$1; f=$2; cd /; l=$f.rest; \"$b/pg_restore\" -l --section=post-data \"$f\" | { grep -v -E '"
                                + EARLY
                                + "' || true; } > \"$l\"; \"$b/pg_restore\" -d \"$3\" -L \"$l\" --exit-on-error \"$f\"",
                        "sh",
                        targetBindir,
                        file,
                        database));
    }

    private void restore(MigrationSpec spec, String bindir, String what, List<String> argv) {
        logins.ssh(spec.target())
                .run(Command.of(argv).asUser(spec.target().database().osUser()).withTimeout(DUMP_TIMEOUT))
                .orThrow(what + " on the target");
    }

    /** Where the schema of {@code database} waits on the target between the two restores. */
    static String file(MigrationSpec spec, String database) {
        return "/tmp/" + LogicalNames.slot(spec, database) + ".schema";
    }
}
