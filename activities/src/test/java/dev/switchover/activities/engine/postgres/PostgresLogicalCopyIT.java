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
import dev.switchover.workflows.activities.LagSample;
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
        lab.execute(lab.source, "SELECT pg_reload_conf()");
        try (PgSession s = db(lab.source, "shop")) {
            s.execute("SET ROLE app");
            s.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL, amount numeric(10,2))");
            s.execute("CREATE INDEX orders_customer ON orders (customer)");
            s.execute("CREATE TABLE items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " order_id bigint REFERENCES orders (id), sku text)");
            s.execute("CREATE SEQUENCE invoice_no START 1000");
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

        assertTrue(engine.baseCopy(lab.spec, Progress.NONE).alreadyDone(), "a second attempt finds it done");
        String quiet = engine.quietTarget(lab.spec);
        assertTrue(quiet.contains("were disabled"), quiet);
        assertEquals("f", one(lab.target, "shop", "SELECT subenabled FROM pg_subscription"));
    }
}
