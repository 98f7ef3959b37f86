package dev.switchover.activities.engine.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.BackupResult;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.activities.Check;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.activities.PreflightReport;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.activities.SourcePreparation;
import dev.switchover.workflows.activities.SyncProof;
import dev.switchover.workflows.spec.Engine;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every engine step against two real servers of one kind: its effect, that running it again
 * changes nothing, and what it refuses. The MySQL and MariaDB classes run the same steps.
 */
abstract class MySqlEngineContract {
    abstract Engine kind();

    @Test
    void migratesUnderWritesAndEveryStepCanRunTwice() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "walk")) {
            seed(p, 5_000);
            p.execute(p.source, "CREATE TABLE shop.nokey (v int)");

            PreflightReport report = p.engine.preflight(p.spec);
            assertEquals(
                    check(report, "primary keys").verdict(),
                    Check.Verdict.WARN,
                    "a table without a primary key is named");
            assertTrue(check(report, "primary keys").detail().contains("shop.nokey"));

            SourcePreparation first = p.engine.prepareSource(p.spec);
            SourcePreparation second = p.engine.prepareSource(p.spec);
            assertTrue(first.createdRole(), "the replication account was created");
            assertFalse(second.createdRole(), "a second run finds it");
            assertEquals(
                    (kind() == Engine.MYSQL ? LabHost.MYT : LabHost.MDT).address(),
                    p.one(p.source, "SELECT group_concat(host) FROM mysql.user WHERE user = 'replicator'"),
                    "the replication account may log in from the target's address only");

            // A writer on the source all through the copy: the dump's snapshot plus replication must
            // bring every row it wrote.
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (MySqlSession s = p.admin(p.source)) {
                    for (long id = 100_001; writing.get(); id++) {
                        s.execute("INSERT INTO shop.orders VALUES (?, 'writer', 1.00)", id);
                        written.incrementAndGet();
                    }
                }
            });
            writer.start();
            Recording progress = new Recording();
            BaseCopyResult copy = p.engine.baseCopy(p.spec, progress);
            writing.set(false);
            writer.join();
            assertFalse(copy.alreadyDone());
            assertTrue(written.get() > 0, "the writer wrote during the copy");
            // Granted on one table: possible only once the table exists on the target, so after the load.
            String grants = grants(p, p.target, MySqlPair.account("reporter"));
            assertTrue(grants.contains("SELECT ON `shop`.`orders`"), grants);
            assertEquals(
                    grants(p, p.source, MySqlPair.account("reporter")),
                    grants,
                    "the account's grants as on the source");
            assertFalse(progress.reports.isEmpty(), "the copy reported progress");
            CopyProgress last = progress.reports.get(progress.reports.size() - 1);
            assertEquals(last.totalBytes(), last.doneBytes(), "the last report is complete");
            // 5 000 orders fill more than 64 KiB of the table's file, whatever the statistics say.
            assertTrue(copy.bytes() >= 64 * 1024, "the copy's size counts the tables: " + copy);

            assertTrue(p.engine.baseCopy(p.spec, Progress.NONE).alreadyDone(), "a second copy finds the first");
            // An attempt that died after the copy was complete but before the replica was pointed at the
            // source (or before it first connected): the next one sets replication up, it does not copy again.
            p.execute(p.target, "STOP REPLICA");
            p.execute(p.target, "RESET REPLICA ALL");
            assertTrue(
                    p.engine.baseCopy(p.spec, Progress.NONE).alreadyDone(),
                    "a complete copy without its replica is resumed");

            assertEquals(
                    "1", p.one(p.target, "SELECT @@GLOBAL.read_only"), "nobody but replication writes to the copy");
            if (kind() == Engine.MYSQL) {
                assertEquals("ON", persisted(p, p.target, "super_read_only"), "and a restarted copy stays read-only");
            }
            LagSample lag = awaitInSync(p);
            assertTrue(lag.streaming(), lag.state());
            assertEquals(p.fingerprint(p.source, "shop.orders"), p.fingerprint(p.target, "shop.orders"));
            assertNotNull(
                    p.one(p.target, "SELECT 1 FROM mysql.user WHERE user = 'app'"),
                    "the application's account was copied");
            assertNull(
                    p.one(p.target, "SELECT 1 FROM mysql.user WHERE user = 'replicator'"),
                    "the replication account was not");

            FrozenSource frozen = p.engine.freezeWrites(p.spec);
            assertEquals(
                    frozen.finalPosition(),
                    p.engine.freezeWrites(p.spec).finalPosition(),
                    "a second freeze changes nothing");
            assertEquals("1", p.one(p.source, "SELECT @@GLOBAL.read_only"));
            var refused = assertThrows(java.sql.SQLException.class, () -> appWrite(p, p.source));
            assertTrue(
                    refused.getMessage().contains("locked"),
                    "the application's login is refused: " + refused.getMessage());

            SyncProof proof = p.engine.verifySync(p.spec, frozen, Progress.NONE);
            assertEquals(frozen.finalPosition(), proof.sourceFinalPosition());

            PromotionResult promoted = p.engine.promote(p.spec, frozen);
            assertFalse(promoted.alreadyPromoted());
            assertTrue(p.engine.promote(p.spec, frozen).alreadyPromoted(), "a second promotion finds it done");
            assertEquals("0", p.one(p.target, "SELECT @@GLOBAL.read_only"));
            try (MySqlSession t = p.admin(p.target)) {
                assertTrue(
                        t.named(kind() == Engine.MYSQL ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS")
                                .isEmpty(),
                        "the new primary follows nobody");
            }
            appWrite(p, p.target);
            assertEquals("1", p.one(p.target, "SELECT count(*) FROM shop.orders WHERE id = 999999"));
            if (kind() == Engine.MYSQL) {
                assertNull(persisted(p, p.target, "super_read_only"), "a restarted new primary stays writable");
                assertEquals("ON", persisted(p, p.source, "super_read_only"), "a restarted old source stays read-only");
            }

            BackupResult backup = p.engine.backupNewPrimary(p.spec, "walk-1", Progress.NONE);
            assertTrue(backup.bytes() > 1000, backup.toString());
            assertTrue(p.engine
                    .backupNewPrimary(p.spec, "walk-1", Progress.NONE)
                    .detail()
                    .contains("earlier attempt"));
            assertTrue(
                    p.sh(
                                    p.target,
                                    "sh",
                                    "-c",
                                    "gzip -dc " + MySqlPair.BACKUPS + "/walk-1.sql.gz | grep -c 'INSERT INTO `orders`'")
                            .strip()
                            .matches("[1-9][0-9]*"),
                    "the backup holds the orders");

            List<Check> memory = p.engine.memoryChecks(p.spec);
            assertEquals("innodb_buffer_pool_size", memory.get(0).name());

            // The copy is done and promoted: a migration started again must not empty it.
            fails(Failures.WIPE_REFUSED, () -> p.engine.baseCopy(p.spec, Progress.NONE));
        }
    }

    @Test
    void refusalsLeaveBothServersAsTheyWere() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "refuse")) {
            seed(p, 100);
            p.execute(
                    p.target,
                    "CREATE DATABASE crm",
                    "CREATE TABLE crm.customers (id int PRIMARY KEY)",
                    "INSERT INTO crm.customers VALUES (1)");
            ApplicationFailure f = fails(Failures.WIPE_REFUSED, () -> p.engine.preflight(p.spec));
            assertTrue(f.getOriginalMessage().contains("crm"), f.getOriginalMessage());
            assertEquals("1", p.one(p.target, "SELECT count(*) FROM crm.customers"));
            p.execute(p.target, "DROP DATABASE crm");

            p.execute(p.source, "CREATE TABLE shop.legacy (id int PRIMARY KEY) ENGINE=MyISAM");
            f = fails(Failures.PREFLIGHT_FAILED, () -> p.engine.preflight(p.spec));
            assertTrue(f.getOriginalMessage().contains("shop.legacy (MyISAM)"), f.getOriginalMessage());
            p.execute(p.source, "DROP TABLE shop.legacy");

            SpecAgainst wrongEngine = new SpecAgainst(p, kind() == Engine.MYSQL ? Engine.MARIADB : Engine.MYSQL);
            fails(Failures.WRONG_HOST, () -> wrongEngine.engine.preflight(wrongEngine.spec));

            if (kind() == Engine.MYSQL) {
                Hosts longPassword = new Hosts(new SecretResolver(Map.of(MySqlPair.PASSWORD_VARIABLE, "x".repeat(33))));
                f = fails(
                        Failures.PREFLIGHT_FAILED,
                        () -> new MySqlEngine(longPassword, Dialect.of(kind()), DumpCopy::new).preflight(p.spec));
                assertTrue(f.getOriginalMessage().contains("at most 32"), f.getOriginalMessage());
                longPassword.close();
            }

            // binlog_format is the one setting prepare-source changes itself: online, and persisted on MySQL.
            p.execute(p.source, "SET GLOBAL binlog_format = 'MIXED'");
            assertEquals(
                    Check.Verdict.WARN,
                    check(p.engine.preflight(p.spec), "setting binlog_format").verdict());
            SourcePreparation prepared = p.engine.prepareSource(p.spec);
            assertEquals(
                    List.of("binlog_format"),
                    prepared.changedSettings().stream().map(c -> c.name()).toList());
            assertEquals("ROW", p.one(p.source, "SELECT @@GLOBAL.binlog_format"));
            assertEquals(
                    "ANY",
                    p.one(p.source, "SELECT ssl_type FROM mysql.user WHERE user = 'replicator'"),
                    "the replication account must use TLS");
            // The target's worker has another password for the replication account than the source.
            Hosts wrong = new Hosts(new SecretResolver(Map.of(MySqlPair.PASSWORD_VARIABLE, "not-the-password")));
            MySqlEngine misconfigured = new MySqlEngine(wrong, Dialect.of(kind()), DumpCopy::new);
            fails(Failures.BAD_CREDENTIALS, () -> misconfigured.baseCopy(p.spec, Progress.NONE));
            wrong.close();
            assertFalse(
                    p.sh(p.target, "sh", "-c", "ls -a " + p.target.get("MYSQL_DATA_DIR"))
                            .contains(".switchover-copy"),
                    "nothing on the target was touched");

            p.engine.undoPrepareSource(p.spec, null);
            p.engine.undoPrepareSource(p.spec, null);
            assertNull(
                    p.one(p.source, "SELECT 1 FROM mysql.user WHERE user = 'replicator'"), "undo dropped the account");
            assertNotNull(p.one(p.source, "SELECT 1 FROM mysql.user WHERE user = 'app'"), "and nothing else");

            // A setting only a restart applies stops the migration with the my.cnf line, before anything changes.
            String dir = kind() == Engine.MYSQL ? "/etc/mysql/mysql.conf.d" : "/etc/mysql/mariadb.conf.d";
            String off = kind() == Engine.MYSQL
                    ? "[mysqld]\ngtid_mode = OFF\nenforce_gtid_consistency = OFF\n"
                    : "[mariadb]\nskip-log-bin\n";
            p.sh(
                    p.source,
                    "sh",
                    "-c",
                    "printf '" + off + "' > " + dir + "/zzz-it.cnf && " + p.source.get("MYSQL_RESTART_CMD"));
            try {
                f = fails(Failures.NEEDS_RESTART, () -> p.engine.preflight(p.spec));
                String line = kind() == Engine.MYSQL ? "gtid_mode = ON" : "log_bin = binlog";
                assertTrue(
                        f.getOriginalMessage().contains(line)
                                && f.getOriginalMessage().contains("restart"),
                        f.getOriginalMessage());
                assertNull(
                        p.one(p.source, "SELECT 1 FROM mysql.user WHERE user = 'replicator'"), "nothing was changed");
            } finally {
                p.sh(p.source, "sh", "-c", "rm -f " + dir + "/zzz-it.cnf && " + p.source.get("MYSQL_RESTART_CMD"));
            }
        }
    }

    @Test
    void aCutLinkIsNotInSync() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "cut")) {
            seed(p, 100);
            p.engine.prepareSource(p.spec);
            p.engine.baseCopy(p.spec, Progress.NONE);
            assertTrue(awaitInSync(p).streaming());
            assertTrue(awaitInSync(p).streaming(), "in sync while the link is up");
            // Only the path between the two servers breaks: the source drops what it would send the
            // target, while the worker still reaches both.
            String blackhole = "ip route add blackhole " + p.target.address() + "/32";
            Lab.labSh(Duration.ofMinutes(1), "exec", p.source.name(), "sh", "-c", blackhole);
            try {
                LagSample seen = null;
                Instant until = Instant.now().plus(Duration.ofSeconds(60));
                while (Instant.now().isBefore(until)) {
                    seen = p.engine.measureLag(p.spec);
                    if (!seen.streaming()) break;
                    Thread.sleep(1000);
                }
                assertFalse(seen.streaming(), "an idle source behind a cut link looked in sync: " + seen);
            } finally {
                Lab.labSh(
                        Duration.ofMinutes(1),
                        "exec",
                        p.source.name(),
                        "sh",
                        "-c",
                        "ip route del blackhole " + p.target.address() + "/32");
            }
            // A rollback then stops the replica rather than let it retry against the source.
            String quiet = p.engine.quietTarget(p.spec);
            assertTrue(quiet.contains("replication on the target " + p.target.address() + " was stopped"), quiet);
            p.execute(p.source, "INSERT INTO shop.orders VALUES (900001, 'after the rollback', 1.00)");
            Thread.sleep(2000);
            assertFalse(p.engine.measureLag(p.spec).streaming(), "the target stopped replicating");
            assertNull(
                    p.one(p.target, "SELECT 1 FROM shop.orders WHERE id = 900001"), "nothing arrives after the stop");
        }
    }

    /** An engine whose spec says the other kind, against the same hosts. */
    private static final class SpecAgainst {
        final MySqlEngine engine;
        final dev.switchover.workflows.spec.MigrationSpec spec;

        SpecAgainst(MySqlPair p, Engine other) {
            this.engine = new MySqlEngine(p.hosts, Dialect.of(other), DumpCopy::new);
            this.spec = dev.switchover.workflows.spec.SpecLoader.parse(
                    p.yaml("other").replace("engine: " + p.kind.id(), "engine: " + other.id()), "test spec");
        }
    }

    static void seed(MySqlPair p, int rows) {
        p.execute(
                p.source,
                p.kind == Engine.MYSQL
                        ? "SET SESSION cte_max_recursion_depth = 10000000"
                        : "SET SESSION max_recursive_iterations = 10000000",
                "CREATE DATABASE shop",
                "CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer varchar(64) NOT NULL, amount decimal(12,2))",
                "INSERT INTO shop.orders WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                        + rows + ") SELECT i, concat('customer-', i % 997), (i % 10000) / 100 FROM n",
                "CREATE USER " + MySqlPair.account("app") + " IDENTIFIED BY 'app-password'",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON shop.* TO " + MySqlPair.account("app"),
                "CREATE USER " + MySqlPair.account("reporter") + " IDENTIFIED BY 'reporter-password'",
                "GRANT SELECT ON shop.orders TO " + MySqlPair.account("reporter"));
    }

    /** An account's SHOW GRANTS, one line each, in order. */
    static String grants(MySqlPair p, Lab lab, String account) {
        try (MySqlSession s = p.admin(lab)) {
            return String.join(
                    "\n",
                    s.rows("SHOW GRANTS FOR " + account).stream()
                            .map(r -> r.get(0))
                            .sorted()
                            .toList());
        }
    }

    /** A write as the application's account, which has no right to bypass read_only. */
    static void appWrite(MySqlPair p, Lab lab) throws Exception {
        String url = (p.kind == Engine.MYSQL ? "jdbc:mysql://" : "jdbc:mariadb://") + lab.address() + ":3306/shop";
        var props = new java.util.Properties();
        props.setProperty("user", "app");
        props.setProperty("password", "app-password");
        if (p.kind == Engine.MYSQL) props.setProperty("sslMode", "REQUIRED");
        try (var c = java.sql.DriverManager.getConnection(url, props);
                var st = c.createStatement()) {
            st.execute("INSERT INTO orders VALUES (999999, 'app', 9.99)");
        }
    }

    static String persisted(MySqlPair p, Lab lab, String variable) {
        return p.one(
                lab,
                "SELECT variable_value FROM performance_schema.persisted_variables WHERE variable_name = ?",
                variable);
    }

    static LagSample awaitInSync(MySqlPair p) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        LagSample s = p.engine.measureLag(p.spec);
        while (!(s.streaming() && s.lagBytes() == 0) && Instant.now().isBefore(until)) {
            Thread.sleep(500);
            s = p.engine.measureLag(p.spec);
        }
        assertTrue(s.streaming() && s.lagBytes() == 0, "the target caught up: " + s);
        return s;
    }

    static Check check(PreflightReport r, String name) {
        return r.checks().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + r.checks()));
    }

    static ApplicationFailure fails(String type, Executable action) {
        ApplicationFailure f = assertThrows(ApplicationFailure.class, action);
        assertEquals(type, f.getType(), f.getOriginalMessage());
        assertTrue(f.isNonRetryable(), "non-retryable: " + f.getOriginalMessage());
        return f;
    }

    static final class Recording implements Progress {
        final List<CopyProgress> reports = new CopyOnWriteArrayList<>();

        @Override
        public void alive() {}

        @Override
        public void report(CopyProgress progress) {
            reports.add(progress);
        }
    }
}
