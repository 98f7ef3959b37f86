package dev.switchover.activities.engine.mysql;

import static dev.switchover.activities.engine.mysql.MySqlEngineContract.awaitInSync;
import static dev.switchover.activities.engine.mysql.MySqlEngineContract.fails;
import static dev.switchover.activities.engine.mysql.MySqlEngineContract.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.engine.Progress;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabHost;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.activities.FrozenSource;
import dev.switchover.workflows.activities.PromotionResult;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The fence around a frozen source against two real servers of one kind: what no client can do
 * through it (the application, an administrator with every privilege, a session open at the
 * freeze, a restart of the server), what promotion proves before it acts, what undo gives back,
 * and the freeze's bound against a long write.
 */
abstract class MySqlFenceContract {
    abstract Engine kind();

    @Test
    void noClientWritesThroughTheFenceNotEvenAfterARestartAndPromotionProvesIt() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "fence")) {
            String targetBefore = locked(p, p.target);
            replicating(p);
            String targetLocked = closedTarget(p);
            String record = record(p, p.target, "fence");

            // A lock lost on the target (a worker that died after the record, before the lock) and a
            // session the administrator opened there meanwhile: a retried copy locks it again and ends
            // the session, with the record as it was.
            try (MySqlSession t = p.admin(p.target)) {
                t.execute("SET SESSION sql_log_bin = 0");
                if (kind() == Engine.MYSQL) t.execute("SET GLOBAL super_read_only = OFF");
                t.execute("ALTER USER " + MySqlPair.account("dba") + " ACCOUNT UNLOCK");
                if (kind() == Engine.MYSQL) t.execute("SET GLOBAL super_read_only = ON");
            }
            try (Connection dba = login(p, p.target, "dba", "dba-password")) {
                assertTrue(p.engine.baseCopy(p.spec, Progress.NONE).alreadyDone());
                assertThrows(
                        SQLException.class,
                        () -> dba.createStatement()
                                .execute("INSERT INTO orders VALUES (313131, 'through read_only', 1.00)"),
                        "the session on the target was ended");
            }
            assertEquals(targetLocked, locked(p, p.target), "locked again");
            assertEquals(record, record(p, p.target, "fence"), "the record as it was");
            assertLoginLocked(p, p.target, "dba", "dba-password");
            try (Connection open = login(p, p.source, "app", "app-password")) {
                open.setAutoCommit(false);
                open.createStatement().execute("INSERT INTO orders VALUES (424242, 'open at the freeze', 1.00)");

                FrozenSource frozen = p.engine.freezeWrites(p.spec);

                assertThrows(
                        SQLException.class,
                        () -> open.createStatement().execute("COMMIT"),
                        "the session open at the freeze was ended");
            }
            assertEquals(
                    "0",
                    p.one(p.source, "SELECT count(*) FROM shop.orders WHERE id = 424242"),
                    "and its transaction was not committed");
            assertLoginLocked(p, p.source, "app", "app-password");
            assertLoginLocked(p, p.source, "dba", "dba-password");
            assertLoginLocked(p, p.source, "root", "root-password");
            assertEquals(targetLocked, locked(p, p.target), "the source's locks do not reach the target");

            FrozenSource frozen = p.engine.freezeWrites(p.spec);
            p.engine.verifySync(p.spec, frozen, Progress.NONE);
            p.sh(p.source, "sh", "-c", p.source.get("MYSQL_RESTART_CMD"));
            assertEquals("1", p.one(p.source, "SELECT @@GLOBAL.read_only"), "the restarted source is read-only");
            assertLoginLocked(p, p.source, "dba", "dba-password");

            PromotionResult promoted = p.engine.promote(p.spec, frozen);
            assertFalse(promoted.alreadyPromoted());
            assertEquals("0", p.one(p.target, "SELECT @@GLOBAL.read_only"));
            write(p, p.target, "app", "app-password", 999999);
            write(p, p.target, "dba", "dba-password", 999998);
            assertEquals(targetBefore, locked(p, p.target), "the new primary's accounts open as before the copy");
            assertFalse(
                    p.sh(p.target, "ls", "-a", p.target.get("MYSQL_DATA_DIR")).contains("switchover-locked"),
                    "no record left on the new primary");
            assertLoginLocked(p, p.source, "dba", "dba-password");
            assertEquals("1", p.one(p.source, "SELECT @@GLOBAL.read_only"), "the old source stays fenced");
            String retired = p.engine.retireOldSource(p.spec, null);
            assertTrue(retired.contains("stays fenced") && retired.contains(".switchover-locked-fence"), retired);
            assertLoginLocked(p, p.source, "app", "app-password");
            // A retry finds the target promoted without the source, which may be gone by then.
            p.sh(p.source, "sh", "-c", p.source.get("MYSQL_STOP_CMD"));
            try {
                assertTrue(p.engine.promote(p.spec, frozen).alreadyPromoted());
            } finally {
                p.sh(p.source, "sh", "-c", p.source.get("MYSQL_START_CMD"));
            }
        }
    }

    @Test
    void promotionRefusedWithoutTheFenceOrTheSourceAndUndoOpensEverything() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "proof")) {
            replicating(p);
            p.execute(
                    p.source,
                    "CREATE USER " + MySqlPair.account("retired") + " IDENTIFIED BY 'retired-password' ACCOUNT LOCK");
            awaitInSync(p);
            // Replicated locked, as the source has it: not switchover's to unlock.
            String targetLocked = closedTarget(p);
            String record = record(p, p.target, "proof");
            assertTrue(targetLocked.contains("retired@") && !record.contains("retired"), targetLocked + " / " + record);
            String lockedBefore = locked(p, p.source);
            assertTrue(lockedBefore.contains("retired@"), lockedBefore);
            FrozenSource frozen = p.engine.freezeWrites(p.spec);
            p.engine.verifySync(p.spec, frozen, Progress.NONE);

            // An administrator takes read_only off by hand.
            if (kind() == Engine.MYSQL) p.execute(p.source, "SET GLOBAL super_read_only = OFF");
            p.execute(p.source, "SET GLOBAL read_only = OFF");
            ApplicationFailure f = fails(Failures.SOURCE_NOT_FENCED, () -> p.engine.promote(p.spec, frozen));
            assertTrue(f.getOriginalMessage().contains("read_only is OFF"), f.getOriginalMessage());
            assertStillReplica(p);

            assertEquals(frozen.finalPosition(), p.engine.freezeWrites(p.spec).finalPosition(), "fenced again");
            p.sh(p.source, "sh", "-c", p.source.get("MYSQL_STOP_CMD"));
            try {
                Instant started = Instant.now();
                f = fails(Failures.SOURCE_UNREACHABLE, () -> p.engine.promote(p.spec, frozen));
                assertTrue(Duration.between(started, Instant.now()).toSeconds() < 20, "unreachable is said at once");
                assertTrue(
                        f.getOriginalMessage().contains("fenced")
                                && f.getOriginalMessage().contains("Nothing was promoted"),
                        f.getOriginalMessage());
                assertStillReplica(p);
            } finally {
                p.sh(p.source, "sh", "-c", p.source.get("MYSQL_START_CMD"));
            }

            p.engine.unfreezeWrites(p.spec);
            p.engine.unfreezeWrites(p.spec);
            assertEquals("0", p.one(p.source, "SELECT @@GLOBAL.read_only"));
            write(p, p.source, "app", "app-password", 888888);
            write(p, p.source, "dba", "dba-password", 888887);
            assertEquals(lockedBefore, locked(p, p.source), "exactly the accounts locked before are locked");
            assertFalse(
                    p.sh(p.source, "sh", "-c", "ls -a /var/lib/mysql /etc/mysql/*.d")
                                    .contains("switchover-locked")
                            || p.sh(p.source, "sh", "-c", "ls -a /var/lib/mysql /etc/mysql/*.d")
                                    .contains("switchover-fence"),
                    "no record and no drop-in left");
            if (kind() == Engine.MYSQL) {
                assertNull(MySqlEngineContract.persisted(p, p.source, "super_read_only"));
                assertNull(MySqlEngineContract.persisted(p, p.source, "read_only"));
            }
            p.sh(p.source, "sh", "-c", p.source.get("MYSQL_RESTART_CMD"));
            assertEquals("0", p.one(p.source, "SELECT @@GLOBAL.read_only"), "and a restart keeps it writable");
            assertEquals(
                    targetLocked, locked(p, p.target), "the target keeps its own locks, untouched by the source's");

            // A freeze that died after its record and its first lock: undo unlocks that, and only that.
            p.hosts
                    .ssh(p.source.host())
                    .writeFile(
                            p.source.get("MYSQL_DATA_DIR") + "/.switchover-locked-proof",
                            MySqlPair.account("app") + "\n",
                            "0600",
                            null);
            p.execute(
                    p.source,
                    "SET SESSION sql_log_bin = 0",
                    "ALTER USER " + MySqlPair.account("app") + " ACCOUNT LOCK");
            p.engine.unfreezeWrites(p.spec);
            write(p, p.source, "app", "app-password", 888886);
            assertEquals(lockedBefore, locked(p, p.source));

            // After the rollback the copy is made again onto the same target: its accounts are not
            // locked twice and the record is kept.
            p.engine.marker().write(p.spec, "unfinished", p.engine.marker().read(p.spec)[1]);
            assertFalse(p.engine.baseCopy(p.spec, Progress.NONE).alreadyDone());
            awaitInSync(p);
            assertEquals(targetLocked, locked(p, p.target));
            assertEquals(record, record(p, p.target, "proof"));
            assertLoginLocked(p, p.target, "dba", "dba-password");
        }
    }

    /**
     * The operator's way out when the source is gone for good: the target promoted on its own proof
     * (a replica of the frozen source holding exactly the freeze's final transactions), asked
     * beforehand and afterwards whether it takes writes, as an abort during promotion asks it.
     * Before that, an administrator's account created on the source after the copy arrives open on
     * the target: the next lag sample locks it there, and promotion opens it with the rest.
     */
    @Test
    void withTheSourceGoneTheOperatorMayPromoteOnTheTargetsOwnProof() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "gone")) {
            replicating(p);
            p.execute(
                    p.source,
                    "CREATE USER " + MySqlPair.account("late") + " IDENTIFIED BY 'late-password'",
                    "GRANT ALL PRIVILEGES ON *.* TO " + MySqlPair.account("late"));
            awaitInSync(p);
            p.engine.measureLag(p.spec);
            assertLoginLocked(p, p.target, "late", "late-password");
            assertTrue(
                    record(p, p.target, "gone").contains(MySqlPair.account("late")),
                    "recorded, to be opened at promotion");
            write(p, p.source, "app", "app-password", 777777);
            FrozenSource frozen = p.engine.freezeWrites(p.spec);
            p.engine.verifySync(p.spec, frozen, Progress.NONE);
            assertFalse(p.engine.targetPromoted(p.spec), "a replica does not take writes");
            p.sh(p.source, "sh", "-c", p.source.get("MYSQL_STOP_CMD"));
            try {
                // VerifySync retried now (its worker died) proves the target on the freeze's record alone,
                // so the migration reaches promotion and is held there, saying why, not stuck in VERIFY_SYNC.
                p.engine.verifySync(p.spec, frozen, Progress.NONE);
                fails(Failures.SOURCE_UNREACHABLE, () -> p.engine.promote(p.spec, frozen));
                assertStillReplica(p);
                PromotionResult r = p.engine.promoteWithoutSource(p.spec, frozen);
                assertFalse(r.alreadyPromoted(), r.toString());
                assertTrue(
                        r.detail().contains("without the source's proof")
                                && r.detail().contains("must never serve"),
                        r.detail());
                assertTrue(p.engine.targetPromoted(p.spec));
                assertEquals(
                        "1",
                        p.one(p.target, "SELECT count(*) FROM shop.orders WHERE id = 777777"),
                        "the last write is there");
                write(p, p.target, "app", "app-password", 777778);
                write(p, p.target, "late", "late-password", 777779);
                assertTrue(p.engine.promoteWithoutSource(p.spec, frozen).alreadyPromoted(), "a retry finds it done");
            } finally {
                p.sh(p.source, "sh", "-c", p.source.get("MYSQL_START_CMD"));
            }
            assertEquals("1", p.one(p.source, "SELECT @@GLOBAL.read_only"), "the old source comes back fenced");
            assertLoginLocked(p, p.source, "app", "app-password");
        }
    }

    /** A write on the target after the copy is not the source's: promotion without the source refuses it too. */
    @Test
    void withoutTheSourceATargetHoldingItsOwnWritesIsNotPromoted() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "errant-alone")) {
            replicating(p);
            FrozenSource frozen = p.engine.freezeWrites(p.spec);
            p.engine.verifySync(p.spec, frozen, Progress.NONE);
            try (MySqlSession t = p.admin(p.target)) {
                if (kind() == Engine.MYSQL) t.execute("SET GLOBAL super_read_only = OFF");
                t.execute("SET GLOBAL read_only = OFF");
                t.execute("INSERT INTO shop.orders VALUES (555555, 'errant', 1.00)");
                t.execute("SET GLOBAL read_only = ON");
            }
            p.sh(p.source, "sh", "-c", p.source.get("MYSQL_STOP_CMD"));
            try {
                ApplicationFailure f =
                        fails(Failures.ERRANT_TRANSACTIONS, () -> p.engine.promoteWithoutSource(p.spec, frozen));
                assertTrue(f.getOriginalMessage().contains("never had"), f.getOriginalMessage());
                assertStillReplica(p);
                assertFalse(p.engine.targetPromoted(p.spec));
            } finally {
                p.sh(p.source, "sh", "-c", p.source.get("MYSQL_START_CMD"));
            }
        }
    }

    /**
     * After the copy the target is closed: the accounts copied from the source, an administrator's
     * with every privilege included, are locked there, and the list is recorded. Its locked accounts.
     */
    private String closedTarget(MySqlPair p) {
        String targetLocked = locked(p, p.target);
        for (String a : new String[] {"app@", "dba@" + LabHost.WORKER_ADDRESS}) {
            assertTrue(targetLocked.contains(a), a + " locked on the target: " + targetLocked);
        }
        assertLoginLocked(p, p.target, "dba", "dba-password");
        assertEquals(
                p.fingerprint(p.source, "shop.orders"),
                p.fingerprint(p.target, "shop.orders"),
                "nothing written there");
        return targetLocked;
    }

    /** The accounts switchover recorded as locked on a server, in the order recorded. */
    private static String record(MySqlPair p, Lab lab, String migration) {
        String r = p.sh(lab, "cat", lab.get("MYSQL_DATA_DIR") + "/.switchover-locked-" + migration);
        assertTrue(r.contains(MySqlPair.account("dba")) && !r.contains("'root'@'localhost'"), r);
        return r;
    }

    @Test
    void anErrantWriteOnTheTargetStopsTheCutover() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "errant")) {
            replicating(p);
            try (MySqlSession t = p.admin(p.target)) {
                if (kind() == Engine.MYSQL) t.execute("SET GLOBAL super_read_only = OFF");
                t.execute("INSERT INTO shop.orders VALUES (777777, 'written on the target', 1.00)");
                if (kind() == Engine.MYSQL) t.execute("SET GLOBAL super_read_only = ON");
            }
            String errant = kind() == Engine.MYSQL
                    ? p.one(p.target, "SELECT @@server_uuid") + ":1"
                    : p.one(p.target, "SELECT @@GLOBAL.gtid_binlog_pos");
            FrozenSource frozen = p.engine.freezeWrites(p.spec);
            ApplicationFailure f =
                    fails(Failures.ERRANT_TRANSACTIONS, () -> p.engine.verifySync(p.spec, frozen, Progress.NONE));
            assertTrue(f.getOriginalMessage().contains(errant), errant + " named in: " + f.getOriginalMessage());
            assertStillReplica(p);
            p.engine.unfreezeWrites(p.spec);
            write(p, p.source, "app", "app-password", 888888);
        }
    }

    @Test
    void aLongWriteMakesTheFreezeGiveUpOrIsEndedWhenTheSpecSaysSo() throws Exception {
        try (MySqlPair p = MySqlPair.fresh(kind(), "long")) {
            seed(p, 100);
            dba(p);
            MigrationSpec bounded = SpecLoader.parse(
                    p.yaml("long").replace("cutover:\n", "cutover:\n  freezeTimeout: 2s\n"), "test spec");
            MigrationSpec ending = SpecLoader.parse(
                    p.yaml("long")
                            .replace("cutover:\n", "cutover:\n  freezeTimeout: 2s\n  endBlockingSessions: true\n"),
                    "test spec");

            Blocker slow = new Blocker(p, 555555);
            Instant started = Instant.now();
            ApplicationFailure f = fails(Failures.FREEZE_TIMEOUT, () -> p.engine.freezeWrites(bounded));
            long took = Duration.between(started, Instant.now()).toMillis();
            assertTrue(took < 10_000, "the freeze gave up within its bound, not the write's 30 s: " + took + " ms");
            assertTrue(
                    f.getOriginalMessage().contains("SLEEP(30)")
                            && f.getOriginalMessage().contains("app@"),
                    f.getOriginalMessage());
            started = Instant.now();
            write(p, p.source, "app", "app-password", 600001);
            assertTrue(Duration.between(started, Instant.now()).toMillis() < 1000, "writes go through at once");
            write(p, p.source, "dba", "dba-password", 600002);
            assertEquals(
                    "0",
                    p.one(
                            p.source,
                            "SELECT count(*) FROM information_schema.processlist WHERE info LIKE"
                                    + " '%read_only%' AND id <> CONNECTION_ID()"),
                    "no statement of ours is left waiting");
            slow.end();

            Blocker ended = new Blocker(p, 555556);
            FrozenSource frozen = p.engine.freezeWrites(ending);
            assertTrue(frozen.sessionsEnded() >= 1);
            assertNull(
                    p.one(p.source, "SELECT id FROM information_schema.processlist WHERE id = ?", ended.id),
                    "the blocking session is gone");
            assertTrue(ended.failure.get() != null, "its statement failed");
            ended.end();
            p.engine.unfreezeWrites(p.spec);
            write(p, p.source, "app", "app-password", 600003);
        }
    }

    /** A write statement of the application that runs 30 s, started and seen running on the source. */
    private static final class Blocker {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final String id;
        private final Thread thread;
        private final MySqlPair p;

        Blocker(MySqlPair p, long row) throws Exception {
            this.p = p;
            Connection c = login(p, p.source, "app", "app-password");
            thread = new Thread(() -> {
                try (c;
                        var st = c.createStatement()) {
                    st.execute("INSERT INTO orders (id, customer, amount) SELECT " + row + ", 'slow', SLEEP(30)");
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            thread.start();
            String running =
                    "SELECT id FROM information_schema.processlist WHERE info LIKE 'INSERT INTO orders%" + row + "%'";
            Instant until = Instant.now().plusSeconds(10);
            while (p.one(p.source, running) == null) {
                assertTrue(Instant.now().isBefore(until), "the slow write started");
                Thread.sleep(50);
            }
            id = p.one(p.source, running);
        }

        void end() throws InterruptedException {
            if (p.one(p.source, "SELECT id FROM information_schema.processlist WHERE id = ?", id) != null) {
                p.execute(p.source, "KILL " + Long.parseLong(id));
            }
            thread.join(10_000);
        }
    }

    /** Source and target replicating, with the application's account and an administrator's on both. */
    private static void replicating(MySqlPair p) throws Exception {
        seed(p, 100);
        dba(p);
        p.engine.prepareSource(p.spec);
        p.engine.baseCopy(p.spec, Progress.NONE);
        awaitInSync(p);
    }

    /**
     * Adds, beside the seed's application account, an administrator's account with every privilege,
     * and a root that logs in over the network (not the server's built-in root).
     */
    static void dba(MySqlPair p) {
        p.execute(
                p.source,
                "CREATE USER " + MySqlPair.account("dba") + " IDENTIFIED BY 'dba-password'",
                "GRANT ALL PRIVILEGES ON *.* TO " + MySqlPair.account("dba") + " WITH GRANT OPTION",
                "CREATE USER " + MySqlPair.account("root") + " IDENTIFIED BY 'root-password'",
                "GRANT ALL PRIVILEGES ON *.* TO " + MySqlPair.account("root") + " WITH GRANT OPTION");
    }

    static Connection login(MySqlPair p, Lab lab, String user, String password) throws SQLException {
        String url = (p.kind == Engine.MYSQL ? "jdbc:mysql://" : "jdbc:mariadb://") + lab.address() + ":3306/shop";
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "5000");
        if (p.kind == Engine.MYSQL) props.setProperty("sslMode", "REQUIRED");
        return DriverManager.getConnection(url, props);
    }

    static void write(MySqlPair p, Lab lab, String user, String password, long id) throws SQLException {
        try (Connection c = login(p, lab, user, password);
                var st = c.createStatement()) {
            st.execute("INSERT INTO orders VALUES (" + id + ", '" + user + "', 1.00)");
        }
    }

    static void assertLoginLocked(MySqlPair p, Lab lab, String user, String password) {
        SQLException e = assertThrows(
                SQLException.class, () -> login(p, lab, user, password).close(), user + " logged in to " + lab.name());
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("locked"), e.getMessage());
    }

    /** The locked accounts of a server, user@host, in order. */
    static String locked(MySqlPair p, Lab lab) {
        String v = p.one(
                lab,
                p.kind == Engine.MYSQL
                        ? "SELECT group_concat(concat(user, '@', host) ORDER BY user, host) FROM mysql.user WHERE account_locked = 'Y'"
                        : "SELECT group_concat(concat(user, '@', host) ORDER BY user, host) FROM mysql.global_priv"
                                + " WHERE JSON_VALUE(priv, '$.account_locked') IN ('1', 'true')");
        return v == null ? "" : v;
    }

    /** The target was not touched: still a read-only replica. */
    static void assertStillReplica(MySqlPair p) {
        assertEquals("1", p.one(p.target, "SELECT @@GLOBAL.read_only"), "the target is still read-only");
        try (MySqlSession t = p.admin(p.target)) {
            assertFalse(
                    t.named(p.kind == Engine.MYSQL ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS")
                            .isEmpty(),
                    "the target still replicates");
        }
    }
}
