package dev.switchover.activities.engine.postgres;

import static dev.switchover.activities.engine.postgres.PgPair.eventually;
import static dev.switchover.activities.engine.postgres.PgPair.failsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.engine.Progress;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SyncProof;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The logical copy from PostgreSQL 15 (lcs) to 17 (lct) under a writer: roles with their
 * passwords, two databases' schemas, every row by the subscriptions' initial copy and what the
 * writer adds meanwhile by streaming, the indexes and foreign keys after the copy, progress per
 * table; a second attempt finds it done; a target database holding somebody's tables is refused.
 */
@Execution(ExecutionMode.CONCURRENT) // beside the other engines' classes, each on its own hosts
@ResourceLock("lab:lcs+lct")
class PostgresLogicalCopyIT {
    static PgPair lab;

    @BeforeAll
    static void up() {
        lab = PgPair.fresh("it-logical", LabHost.LCS, LabHost.LCT);
        // What the source's preparation does for the logical method, done here by hand.
        lab.execute(lab.source, "ALTER SYSTEM SET wal_level = 'logical'");
        lab.restart(lab.source);
        lab.execute(lab.source, "CREATE ROLE app LOGIN PASSWORD 'app-secret'");
        lab.execute(
                lab.source,
                "CREATE ROLE " + lab.spec.replication().user() + " LOGIN REPLICATION PASSWORD '"
                        + lab.replicationPassword + "'");
        lab.execute(
                lab.source,
                "GRANT pg_read_all_data TO " + lab.spec.replication().user());
        lab.execute(lab.source, "CREATE DATABASE shop OWNER app");
        lab.execute(lab.source, "CREATE DATABASE crm");
        String hba = lab.one(lab.source, "SHOW hba_file");
        for (String db : List.of("postgres", "shop", "crm")) {
            lab.sh(
                    lab.source,
                    "sh",
                    "-c",
                    "echo \"host " + db + " " + lab.spec.replication().user() + " " + lab.target.address()
                            + "/32 scram-sha-256\" >> " + hba);
            try (PgSession s = db(lab.source, db)) {
                s.execute("CREATE PUBLICATION " + LogicalNames.publication(lab.spec) + " FOR ALL TABLES");
            }
        }
        // The application logs in from this machine, on both servers (the target's closing comes before it).
        for (Lab host : List.of(lab.source, lab.target)) {
            lab.sh(
                    host,
                    "sh",
                    "-c",
                    "echo 'host all app " + LabHost.WORKER_ADDRESS + "/32 scram-sha-256' >> "
                            + lab.one(host, "SHOW hba_file"));
            lab.execute(host, "SELECT pg_reload_conf()");
        }
        try (PgSession s = db(lab.source, "shop")) {
            s.execute("SET ROLE app");
            s.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL, amount numeric(10,2))");
            s.execute("CREATE INDEX orders_customer ON orders (customer)");
            s.execute("CREATE TABLE items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " order_id bigint REFERENCES orders (id), sku text)");
            s.execute("CREATE SEQUENCE invoice_no START 1000");
            s.execute("SELECT nextval('invoice_no')");
            s.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100");
            s.execute("INSERT INTO orders (customer, amount) SELECT 'c' || g, g FROM generate_series(1, 100000) g");
            s.execute("INSERT INTO items (order_id, sku) SELECT g, 'sku' || g FROM generate_series(1, 20000) g");
        }
        try (PgSession s = db(lab.source, "crm")) {
            s.execute("CREATE TABLE contacts (id int PRIMARY KEY, name text)");
            s.execute("INSERT INTO contacts SELECT g, 'n' || g FROM generate_series(1, 500) g");
        }
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    static PgSession db(Lab host, String database) {
        return PgSession.open(
                host == lab.source ? lab.spec.source() : lab.spec.target(),
                dev.switchover.activities.secrets.Secret.of(host.adminPassword()),
                "test",
                10,
                database);
    }

    static String one(Lab host, String database, String sql) {
        try (PgSession s = db(host, database)) {
            return s.one(sql);
        }
    }

    @Test
    void theSourceMovesToANewerMajorVersionWithEveryRowAndItsSchema() throws Exception {
        PostgresLogicalEngine engine = new PostgresLogicalEngine(lab.hosts);

        // Somebody's table in a database the copy would replace: refused, nothing touched.
        lab.execute(lab.target, "CREATE DATABASE crm");
        try (PgSession t = db(lab.target, "crm")) {
            t.execute("CREATE TABLE precious (id int)");
        }
        String refused = failsWith(Failures.WIPE_REFUSED, () -> engine.baseCopy(lab.spec, Progress.NONE))
                .getOriginalMessage();
        assertTrue(refused.contains("crm (1 tables)"), refused);
        assertEquals("0", one(lab.target, "crm", "SELECT count(*) FROM precious"), "untouched");
        lab.execute(lab.target, "DROP DATABASE crm");

        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (PgSession s = db(lab.source, "shop")) {
                while (writing.get()) {
                    s.execute("INSERT INTO orders (customer, amount) VALUES ('writer', 1)");
                    written.incrementAndGet();
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        writer.start();
        PgPair.Recording progress = new PgPair.Recording();
        List<CopyProgress> seen = progress.reports;
        BaseCopyResult r;
        try {
            r = engine.baseCopy(lab.spec, progress);
            Thread.sleep(500);
        } finally {
            writing.set(false);
            writer.join();
        }
        assertFalse(r.alreadyDone());
        assertEquals(LogicalCopy.METHOD, r.method());
        assertTrue(written.get() > 50, "the writer wrote during the copy: " + written.get());
        assertTrue(seen.stream().anyMatch(p -> p.stage().contains("tables in sync")), "progress per table: " + seen);
        assertTrue(r.bytes() > 0 && seen.get(seen.size() - 1).percent() == 100.0, seen.toString());

        assertTrue(
                eventually(Duration.ofSeconds(60), () -> {
                    LagSample l = engine.measureLag(lab.spec);
                    return l.streaming() && l.lagBytes() == 0;
                }),
                "caught up: " + engine.measureLag(lab.spec));
        for (String table : List.of("orders", "items")) {
            String sql = "SELECT count(*) || ':' || sum(hashtext(t::text)) FROM " + table + " t";
            assertEquals(one(lab.source, "shop", sql), one(lab.target, "shop", sql), table + " identical");
        }
        assertEquals(
                one(lab.source, "crm", "SELECT count(*) FROM contacts"),
                one(lab.target, "crm", "SELECT count(*) FROM contacts"));
        assertTrue(one(lab.target, "postgres", "SHOW server_version").startsWith("17."));
        // The schema's second half, after the copy; the roles with the source's password.
        assertEquals(
                "1", one(lab.target, "shop", "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_customer'"));
        assertEquals("1", one(lab.target, "shop", "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"));
        assertEquals(
                "app",
                one(lab.target, "postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'"));
        assertEquals(
                one(lab.source, "postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'"),
                one(lab.target, "postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = 'app'"),
                "the application's password moved");

        // Closed to clients until promotion: the application's role came with the copy, its login did not.
        assertFalse(appLogsIn(lab.target), "the application cannot log in to the target before promotion");
        assertTrue(appLogsIn(lab.source));

        assertTrue(engine.baseCopy(lab.spec, Progress.NONE).alreadyDone(), "a second attempt finds it done");
        String quiet = engine.quietTarget(lab.spec);
        assertTrue(quiet.contains("were disabled"), quiet);
        assertEquals("f", one(lab.target, "shop", "SELECT subenabled FROM pg_subscription"));
        assertTrue(engine.baseCopy(lab.spec, Progress.NONE).alreadyDone(), "a re-run after a rollback streams again");
        assertEquals("t", one(lab.target, "shop", "SELECT subenabled FROM pg_subscription"));

        // A table created on the source during the migration holds the catch-up, named, until it is
        // created on the target and the subscription refreshed; its rows then arrive.
        try (PgSession s = db(lab.source, "shop")) {
            s.execute("CREATE TABLE extra (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO extra SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        }
        LagSample newTable = engine.measureLag(lab.spec);
        assertFalse(newTable.streaming(), newTable.toString());
        assertTrue(newTable.state().contains("shop.public.extra exists on the source only"), newTable.state());
        try (PgSession t = db(lab.target, "shop")) {
            t.execute("CREATE TABLE extra (id int PRIMARY KEY, v text)");
            t.execute("ALTER SUBSCRIPTION " + LogicalNames.subscription(lab.spec) + " REFRESH PUBLICATION");
        }
        assertTrue(
                eventually(Duration.ofSeconds(60), () -> {
                    LagSample l = engine.measureLag(lab.spec);
                    return l.streaming() && l.lagBytes() == 0;
                }),
                "in sync again: " + engine.measureLag(lab.spec));
        assertEquals("1000", one(lab.target, "shop", "SELECT count(*) FROM extra"), "the new table's rows arrived");

        // A column added on the source during the migration: the cutover is refused, naming it, until
        // the change is repeated on the target.
        try (PgSession s = db(lab.source, "shop")) {
            s.execute("ALTER TABLE orders ADD COLUMN note text");
            s.execute("SELECT nextval('invoice_no')");
            s.execute("INSERT INTO orders (customer, amount, note) VALUES ('late', 5, 'n')");
        }
        LagSample held = engine.measureLag(lab.spec);
        assertFalse(held.streaming(), "the catch-up holds while the schemas differ: " + held);
        assertTrue(held.state().contains("schema differs: shop.public.orders has columns"), held.state());
        FrozenSource frozen = engine.freezeWrites(lab.spec);
        assertFalse(appLogsIn(lab.source), "the fenced source refuses the application");
        String changed = failsWith(Failures.SYNC_NOT_REACHED, () -> engine.verifySync(lab.spec, frozen, Progress.NONE))
                .getOriginalMessage();
        assertTrue(changed.contains("shop.public.orders has columns"), changed);
        assertTrue(changed.contains("note text"), changed);
        engine.unfreezeWrites(lab.spec);
        try (PgSession t = db(lab.target, "shop")) {
            t.execute("ALTER TABLE orders ADD COLUMN note text");
        }

        FrozenSource again = engine.freezeWrites(lab.spec);
        SyncProof proof = engine.verifySync(lab.spec, again, Progress.NONE);
        assertEquals(again.finalPosition(), proof.sourceFinalPosition());
        assertEquals(
                one(lab.source, "shop", "SELECT count(*) || ':' || sum(hashtext(t::text)) FROM orders t"),
                one(lab.target, "shop", "SELECT count(*) || ':' || sum(hashtext(t::text)) FROM orders t"),
                "every row, the late one too");
        assertFalse(engine.targetPromoted(lab.spec));
        PromotionResult promoted = engine.promote(lab.spec, again);
        assertTrue(promoted.detail().contains("subscriptions dropped"), promoted.detail());
        assertTrue(engine.targetPromoted(lab.spec));
        assertTrue(engine.promote(lab.spec, again).alreadyPromoted(), "a retry finds it promoted");
        assertEquals("0", one(lab.source, "postgres", "SELECT count(*) FROM pg_replication_slots"), "slots dropped");
        assertEquals("0", one(lab.target, "shop", "SELECT count(*) FROM pg_subscription"));

        // The application on the new primary: it logs in, and its next ids follow the source's.
        assertTrue(appLogsIn(lab.target), "the target takes the application after promotion");
        assertTrue(
                Long.parseLong(one(lab.target, "shop", "SELECT last_value FROM invoice_no"))
                        >= Long.parseLong(one(lab.source, "shop", "SELECT last_value FROM invoice_no")),
                "the sequence moved with the freeze");
        try (java.sql.Connection c = app(lab.target, "shop");
                java.sql.Statement st = c.createStatement()) {
            st.execute("INSERT INTO orders (customer, amount) VALUES ('first on the new primary', 1)");
            st.execute("INSERT INTO items (order_id, sku) VALUES (1, 'new')");
        }
    }

    /** The application's own login, from the tests' client address, as clients would make it. */
    static java.sql.Connection app(Lab host, String database) throws java.sql.SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "app");
        p.setProperty("password", "app-secret");
        p.setProperty("connectTimeout", "5");
        return java.sql.DriverManager.getConnection("jdbc:postgresql://" + host.address() + ":5432/" + database, p);
    }

    static boolean appLogsIn(Lab host) {
        try (java.sql.Connection c = app(host, "shop")) {
            return c.isValid(5);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }
}
