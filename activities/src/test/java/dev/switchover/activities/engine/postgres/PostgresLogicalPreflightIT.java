package dev.switchover.activities.engine.postgres;

import static dev.switchover.activities.engine.postgres.PgPair.failsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.secrets.Secret;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabFlavor;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.SettingChange;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The logical method's preflight and source preparation on lgs (PostgreSQL 15) and lgt (17): what
 * it reports on a healthy pair, what it refuses and warns about, and what preparation makes and
 * undo takes back. The engine's classes are called directly: the spec cannot yet say
 * replication.method.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:lgs+lgt")
class PostgresLogicalPreflightIT {
    private static final String PASSWORD_VARIABLE = "SWITCHOVER_IT_REPLICATION_PASSWORD";
    private static final String[] NAMES = {LabHost.LGS.hostName(), LabHost.LGT.hostName()};
    private static final String NAME = "it-logical";

    static AutoCloseable lease;
    static Lab source;
    static Lab target;
    static Hosts hosts;
    static final String replicationPassword = "Repl-" + UUID.randomUUID();
    static LogicalPreflight preflight;
    static LogicalSourcePreparation preparation;

    @BeforeAll
    static void up() {
        lease = Lab.lease(Duration.ofMinutes(10), NAMES);
        source = LabHost.LGS.up();
        target = LabHost.LGT.up();
        Lab.reset(NAMES);
        hosts = new Hosts(new SecretResolver(Map.of(PASSWORD_VARIABLE, replicationPassword)));
        PgLogins logins = new PgLogins(hosts);
        preflight = new LogicalPreflight(logins);
        preparation = new LogicalSourcePreparation(logins);
    }

    @AfterAll
    static void down() throws Exception {
        if (hosts != null) hosts.close();
        if (lease != null) lease.close();
    }

    static MigrationSpec spec(boolean allowSourceRestart) {
        return PgPair.spec(text(allowSourceRestart));
    }

    /** The spec's text, for tests that add to it. */
    static String text(boolean allowSourceRestart) {
        return ("name: " + NAME + "\n"
                + "engine: postgresql\n"
                + LabSpec.host("source", source.address(), LabFlavor.POSTGRES15)
                + LabSpec.host("target", target.address(), LabFlavor.POSTGRES17)
                + "replication:\n"
                + "  password: env:" + PASSWORD_VARIABLE + "\n"
                + "cutover:\n"
                + "  allowSourceRestart: " + allowSourceRestart + "\n");
    }

    static PgSession admin(Lab lab, String database) {
        MigrationSpec spec = spec(true);
        HostSpec host = lab == source ? spec.source() : spec.target();
        return PgSession.open(host, Secret.of(lab.adminPassword()), "test " + lab.name(), 10, database);
    }

    static String one(Lab lab, String database, String sql, Object... params) {
        try (PgSession s = admin(lab, database)) {
            return s.one(sql, params);
        }
    }

    static void execute(Lab lab, String database, String sql, Object... params) {
        try (PgSession s = admin(lab, database)) {
            s.execute(sql, params);
        }
    }

    static String sh(Lab lab, String... argv) {
        return hosts.ssh(lab.host())
                .run(Command.of(argv))
                .orThrow(String.join(" ", argv))
                .stdout();
    }

    /** The source's wal_level, restarting it only when it changes. */
    static void walLevel(String level) {
        if (level.equals(one(source, "postgres", "SHOW wal_level"))) return;
        execute(source, "postgres", "ALTER SYSTEM SET wal_level = " + PgSession.literal(level));
        sh(source, "sh", "-c", source.get("PG_RESTART_CMD"));
    }

    static PreflightReport passes() {
        return preflight.preflight(spec(true));
    }

    static String refused(String type) {
        return failsWith(type, () -> preflight.preflight(spec(true))).getOriginalMessage();
    }

    @Test
    void healthyPairPassesNamingBothVersionsAndTheRestartItNeeds() {
        walLevel("replica");
        PreflightReport r = passes();
        assertTrue(r.sourceVersion().startsWith("15."), r.sourceVersion());
        assertTrue(r.targetVersion().startsWith("17."), r.targetVersion());
        assertEquals("/var/lib/postgresql/17/main", r.targetDataDirectory());
        assertTrue(r.sourceSizeBytes() > 0 && r.targetFreeBytes() > r.sourceSizeBytes(), r.toString());
        SettingChange wal = r.settingsToChange().stream()
                .filter(c -> c.name().equals("wal_level"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(r.settingsToChange().toString()));
        assertEquals("logical", wal.required());
        assertTrue(wal.needsRestart());
        assertTrue(
                r.checks().stream()
                        .allMatch(
                                c -> c.verdict() == Check.Verdict.OK || c.name().startsWith("setting ")),
                r.checks().toString());
        assertTrue(
                r.checks().stream()
                        .anyMatch(
                                c -> c.name().equals("databases") && c.detail().contains("(postgres)")),
                r.checks().toString());
    }

    @Test
    void aRestartTheSpecForbidsIsRefusedWithTheExactLine() {
        walLevel("replica");
        String m = failsWith(Failures.NEEDS_RESTART, () -> preflight.preflight(spec(false)))
                .getOriginalMessage();
        assertTrue(m.contains("ALTER SYSTEM SET wal_level = 'logical';"), m);
        assertTrue(m.contains("wal_level is replica, needs logical"), m);
        assertTrue(m.contains("pg_ctlcluster 15 main stop / pg_ctlcluster 15 main start"), m);
        assertEquals("replica", one(source, "postgres", "SHOW wal_level"), "nothing changed");
    }

    /** The pair the other way round: a 17 source and a 15 target, refused naming both before anything is asked of the databases. */
    /** replication.databases: a listed database the source does not have is named, nothing changed. */
    @Test
    void aListedDatabaseTheSourceLacksIsRefusedNamingIt() {
        MigrationSpec listed = PgPair.spec(text(true)
                .replace("replication:\n", "replication:\n  method: logical\n  databases: [postgres, nosuch]\n"));
        assertEquals(List.of("postgres", "nosuch"), listed.replication().databases());
        String m = failsWith(Failures.PREFLIGHT_FAILED, () -> preflight.preflight(listed))
                .getOriginalMessage();
        assertTrue(m.contains("replication.databases names [nosuch], which the source"), m);
    }

    @Test
    void anOlderTargetIsRefusedNamingBothVersions() {
        MigrationSpec backwards = PgPair.spec("name: " + NAME + "\n"
                + "engine: postgresql\n"
                + LabSpec.host("source", target.address(), LabFlavor.POSTGRES17)
                + LabSpec.host("target", source.address(), LabFlavor.POSTGRES15)
                + "replication:\n"
                + "  password: env:" + PASSWORD_VARIABLE + "\n"
                + "cutover:\n"
                + "  allowSourceRestart: true\n");
        String m = failsWith(Failures.PREFLIGHT_FAILED, () -> preflight.preflight(backwards))
                .getOriginalMessage();
        assertTrue(m.contains("the source " + target.address() + " runs PostgreSQL 17."), m);
        assertTrue(m.contains("the target " + source.address() + " runs PostgreSQL 15."), m);
        assertTrue(m.contains("an older major version"), m);
    }

    @Test
    void tablesWithoutARowIdentityAreRefusedByNameWithBothFixes() {
        execute(source, "postgres", "CREATE DATABASE shop");
        try {
            execute(
                    source,
                    "shop",
                    "CREATE TABLE nopk (a int); CREATE TABLE withpk (a int PRIMARY KEY);"
                            + " CREATE TABLE wholerow (a int); ALTER TABLE wholerow REPLICA IDENTITY FULL;"
                            + " CREATE TABLE nothing (a int PRIMARY KEY); ALTER TABLE nothing REPLICA IDENTITY NOTHING;"
                            + " CREATE UNLOGGED TABLE scratch (a int)");
            String m = refused(Failures.PREFLIGHT_FAILED);
            assertTrue(m.contains("shop.public.nopk, shop.public.nothing."), m);
            assertFalse(m.contains("withpk") || m.contains("wholerow") || m.contains("scratch"), m);
            assertTrue(m.contains("add a primary key (ALTER TABLE public.nopk ADD PRIMARY KEY"), m);
            assertTrue(m.contains("ALTER TABLE public.nopk REPLICA IDENTITY FULL"), m);
            assertTrue(m.contains("writes the whole old row to the WAL"), m);
            assertTrue(m.contains("refuses every UPDATE and DELETE"), m);
        } finally {
            execute(source, "postgres", "DROP DATABASE shop");
        }
    }

    @Test
    void largeObjectsAreRefusedNamingTheDatabaseAndCount() {
        execute(source, "postgres", "CREATE DATABASE blobs");
        try {
            execute(source, "blobs", "SELECT lo_create(0); SELECT lo_create(0)");
            String m = refused(Failures.PREFLIGHT_FAILED);
            assertTrue(m.contains("blobs holds 2 large objects"), m);
            assertTrue(m.contains("logical replication does not carry large objects"), m);
        } finally {
            execute(source, "postgres", "DROP DATABASE blobs");
        }
    }

    /** adminpack ships with PostgreSQL 15 and was removed in 17: the lab's hosts differ in it alone. */
    @Test
    void anExtensionTheTargetCannotInstallIsRefusedWithThePackageToInstall() {
        assertNull(one(target, "postgres", "SELECT name FROM pg_available_extensions WHERE name = 'adminpack'"));
        execute(source, "postgres", "CREATE EXTENSION adminpack");
        try {
            String m = refused(Failures.PREFLIGHT_FAILED);
            assertTrue(m.contains("the extension adminpack (installed in postgres) is not available on the target"), m);
            assertTrue(m.contains("the package providing extension adminpack for PostgreSQL 17"), m);
        } finally {
            execute(source, "postgres", "DROP EXTENSION adminpack");
        }
    }

    @Test
    void unloggedTablesAndMaterializedViewsAreWarnedAbout() {
        execute(source, "postgres", "CREATE DATABASE reports");
        try {
            execute(
                    source,
                    "reports",
                    "CREATE TABLE sales (id int PRIMARY KEY, amount int);"
                            + " CREATE UNLOGGED TABLE cache (k text PRIMARY KEY);"
                            + " CREATE MATERIALIZED VIEW totals AS SELECT sum(amount) FROM sales");
            PreflightReport r = passes();
            Check unlogged = r.checks().stream()
                    .filter(c -> c.name().equals("unlogged tables"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(r.checks().toString()));
            assertEquals(Check.Verdict.WARN, unlogged.verdict());
            assertTrue(unlogged.detail().startsWith("reports.public.cache:"), unlogged.detail());
            Check matview = r.checks().stream()
                    .filter(c -> c.name().equals("materialized views"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(r.checks().toString()));
            assertEquals(Check.Verdict.WARN, matview.verdict());
            assertTrue(matview.detail().contains("reports.public.totals"), matview.detail());
            assertTrue(matview.detail().contains("REFRESH MATERIALIZED VIEW"), matview.detail());
        } finally {
            execute(source, "postgres", "DROP DATABASE reports");
        }
    }

    @Test
    void aTargetDatabaseHoldingTablesIsRefusedAndAnEmptyOneIsNot() {
        execute(source, "postgres", "CREATE DATABASE orders");
        execute(target, "postgres", "CREATE DATABASE orders");
        try {
            passes();
            execute(target, "orders", "CREATE TABLE precious (a int)");
            String m = refused(Failures.WIPE_REFUSED);
            assertTrue(m.contains("orders (1 tables)"), m);
            assertEquals("1", one(target, "orders", "SELECT count(*) FROM pg_class WHERE relname = 'precious'"), m);
        } finally {
            execute(source, "postgres", "DROP DATABASE orders");
            execute(target, "postgres", "DROP DATABASE orders");
        }
    }

    @Test
    void prepareSourceMakesRolePgHbaRulesAndPublicationsOnceAndUndoTakesThemBack() {
        MigrationSpec spec = spec(true);
        String user = spec.replication().user();
        String publication = LogicalNames.publication(spec);
        walLevel("replica");
        execute(source, "postgres", "CREATE DATABASE app");
        try {
            execute(source, "app", "CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1), (2)");
            SourcePreparation first = preparation.prepareSource(spec);
            assertTrue(first.createdRole() && first.addedHbaLine(), first.toString());
            assertTrue(
                    first.summary().startsWith("role created, pg_hba rules added, publication created in "),
                    "the step's record names what logical replication needs, no slot: " + first.summary());
            assertEquals("logical", one(source, "postgres", "SHOW wal_level"), "restarted, as the spec allows");
            assertTrue(first.changedSettings().stream().anyMatch(c -> c.name().equals("wal_level")), first.toString());
            assertEquals(
                    "true", one(source, "postgres", "SELECT pg_has_role(?, 'pg_read_all_data', 'MEMBER')::text", user));
            for (String db : new String[] {"app", "postgres"}) {
                assertEquals(
                        "true",
                        one(source, db, "SELECT puballtables::text FROM pg_publication WHERE pubname = ?", publication),
                        db);
                assertEquals(
                        "1",
                        one(
                                source,
                                "postgres",
                                "SELECT count(*) FROM pg_hba_file_rules WHERE ? = ANY(database) AND ? = ANY(user_name)",
                                db,
                                user),
                        db);
            }
            // What a subscription does from the target: log in to the database and read its tables.
            CommandResult read = hosts.ssh(target.host())
                    .run(Command.of(
                                    "psql",
                                    "-w",
                                    "-X",
                                    "-At",
                                    "-c",
                                    "SELECT count(*) FROM items",
                                    "host=" + source.address() + " port=5432 user=" + user + " dbname=app")
                            .asUser("postgres")
                            .withSecretEnv("PGPASSWORD", Secret.of(replicationPassword)));
            assertEquals("2", read.stdout().strip(), read.toString());

            String hbaFile = one(source, "postgres", "SHOW hba_file");
            String hba = sh(source, "cat", hbaFile);
            SourcePreparation second = preparation.prepareSource(spec);
            assertFalse(second.createdRole() || second.addedHbaLine(), second.toString());
            assertEquals(
                    "role present, pg_hba rules present, publication present, 0 settings changed", second.summary());
            assertEquals(java.util.List.of(), second.changedSettings());
            assertTrue(second.notes().contains("publication " + publication + " already in every database moved"));
            assertEquals(hba, sh(source, "cat", hbaFile), "the second call changed nothing");

            preparation.undoPrepareSource(spec, first);
            assertNull(one(source, "postgres", "SELECT 1 FROM pg_roles WHERE rolname = ?", user));
            for (String db : new String[] {"app", "postgres"}) {
                assertNull(one(source, db, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication), db);
            }
            assertFalse(sh(source, "cat", hbaFile).contains("switchover:" + NAME), "no marker left");
            assertFalse(sh(source, "cat", hbaFile).contains(" " + user + " "), "no rule left");
            preparation.undoPrepareSource(spec, first); // again: nothing left to remove
        } finally {
            execute(source, "postgres", "DROP DATABASE IF EXISTS app WITH (FORCE)");
        }
    }
}
