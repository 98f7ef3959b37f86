package dev.switchover.testkit;

import dev.switchover.workflows.MigrationWorkflow;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.status.MigrationStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Two lab hosts (lab/lab.sh) for an end-to-end migration test: fresh servers, a seeded
 * {@code orders} table on the source, its fingerprint on either side, and a spec that migrates
 * between them with the lab's keys and admin password. Each test class uses its own pair of
 * names and addresses, so test classes on one machine do not share hosts.
 *
 * <pre>
 * LabPair lab = LabPair.up(LabHost.WUIS, LabHost.WUIT);
 * lab.reset();
 * lab.seedOrders(20_000);
 * Files.writeString(specFile, lab.spec("orders", "manual", dir));
 * </pre>
 *
 * On MySQL or MariaDB hosts ({@link #up(Engine, String, String, String, String)}) the tables are
 * in the database {@code shop} ({@link #table}), and {@link #createApp} makes the application's
 * account, {@code 'app'@}{@link LabHost#WORKER_ADDRESS}, that {@link #app} and {@link #writer} log in with.
 */
public final class LabPair {
    /** The application account's password on MySQL and MariaDB hosts: a lab's, for tests only. */
    public static final String APP_PASSWORD = "SwitchoverLabApp2026";

    private final DemoDialect db;
    private final String source;
    private final String sourceAddress;
    private final LabFlavor targetFlavor;
    private final String target;
    private final String targetAddress;

    private LabPair(
            LabFlavor sourceFlavor,
            String source,
            String sourceAddress,
            LabFlavor targetFlavor,
            String target,
            String targetAddress) {
        this.db = DemoDialect.of(sourceFlavor, LabSpec.adminPassword(), APP_PASSWORD);
        this.source = source;
        this.sourceAddress = sourceAddress;
        this.targetFlavor = targetFlavor;
        this.target = target;
        this.targetAddress = targetAddress;
    }

    /**
     * Creates the two hosts, each of its own flavor, or repairs them (lab.sh up); the demo's SQL
     * and logins are the source's flavor's.
     */
    public static LabPair up(LabHost source, LabHost target) {
        return up(
                source.flavor(),
                source.hostName(),
                source.address(),
                target.flavor(),
                target.hostName(),
                target.address());
    }

    /** Creates the two PostgreSQL hosts (of PostgreSQL's default flavor, {@link LabFlavor#of}), or repairs them (lab.sh up). */
    public static LabPair up(String source, String sourceAddress, String target, String targetAddress) {
        return up(Engine.POSTGRESQL, source, sourceAddress, target, targetAddress);
    }

    /** Creates two hosts of {@code engine}'s default lab flavor ({@link LabFlavor#of}), or repairs them (lab.sh up). */
    public static LabPair up(Engine engine, String source, String sourceAddress, String target, String targetAddress) {
        LabFlavor flavor = LabFlavor.of(engine);
        return up(flavor, source, sourceAddress, flavor, target, targetAddress);
    }

    private static LabPair up(
            LabFlavor sourceFlavor,
            String source,
            String sourceAddress,
            LabFlavor targetFlavor,
            String target,
            String targetAddress) {
        Lab.run("up", sourceFlavor.host(source, sourceAddress), targetFlavor.host(target, targetAddress));
        return new LabPair(sourceFlavor, source, sourceAddress, targetFlavor, target, targetAddress);
    }

    /** What differs per engine: SQL, logins, the writer. */
    public DemoDialect dialect() {
        return db;
    }

    /** The source's lab host name, for {@code lab.sh exec NAME ...}. */
    public String sourceName() {
        return source;
    }

    public String targetName() {
        return target;
    }

    public String sourceAddress() {
        return sourceAddress;
    }

    public String targetAddress() {
        return targetAddress;
    }

    /**
     * Heals the target's link and gives both hosts fresh servers: a promoted target is refused as a
     * copy target. (MySQL, MariaDB: a new, empty datadir and binlog, no GTIDs.)
     */
    public void reset() {
        Lab.run("heal", target);
        Lab.run("reset", source, target);
    }

    /** {@code lab.sh ARGS...} on this lab, e.g. {@code exec NAME cmd}. */
    public String run(String... args) {
        return Lab.run(args);
    }

    /** {@code name} as a table of the test database: {@code orders}, or {@code shop.orders} on MySQL and MariaDB. */
    public String table(String name) {
        return db.table(name);
    }

    /** An {@code orders} table of {@code rows} rows on the source. */
    public void seedOrders(long rows) throws SQLException {
        try (Connection c = connect(sourceAddress)) {
            db.seedOrders(c, table("orders"), rows);
        }
    }

    /** A table {@code name} on the source for a {@link #writer}'s ids. */
    public void createWrites(String name) throws SQLException {
        try (Connection c = connect(sourceAddress)) {
            db.createWrites(c, table(name));
        }
    }

    /**
     * On the source, the application's account (MySQL, MariaDB: {@code 'app'@'{@link LabHost#WORKER_ADDRESS}'} with
     * {@link #APP_PASSWORD}, allowed SELECT, INSERT, UPDATE, DELETE on {@code shop} only); nothing
     * on PostgreSQL, whose writer logs in as postgres.
     */
    public void createApp() throws SQLException {
        try (Connection c = connect(sourceAddress)) {
            db.createApp(c);
        }
    }

    /** A writer into the table {@code name}, as the application, at the address {@code primary} gives. */
    public SetWriter writer(Supplier<String> primary, String name, long pauseMicros) {
        return db.writer(primary, table(name), pauseMicros);
    }

    /** Row count and order-independent checksum of every row of {@code orders}. */
    public record Fingerprint(long rows, String checksum) {}

    public Fingerprint orders(String address) throws SQLException {
        try (Connection c = connect(address)) {
            TableFingerprint f = db.fingerprint(c, table("orders"));
            return new Fingerprint(f.rows(), f.checksum());
        }
    }

    /**
     * True when the server at {@code address} is a primary (PostgreSQL: not in recovery; MySQL,
     * MariaDB: not read-only, no replication thread running).
     */
    public boolean isPrimary(String address) throws SQLException {
        return db.isPrimary(address);
    }

    /** As the lab's admin (postgres, or MySQL's and MariaDB's admin). */
    public Connection connect(String address) throws SQLException {
        return db.admin(address);
    }

    /** As the application (see {@link #createApp}). */
    public Connection app(String address) throws SQLException {
        return db.app(address);
    }

    /**
     * A spec from source to target: a fast benchmark with the lab's floor (its hosts share this
     * machine's disk), a short catch-up hold, no traffic switch, no backup, the report under
     * {@code dir}. Writes the replication password to {@code dir/replication-password}.
     *
     * @param cutoverMode {@code manual} (waits for approval) or {@code automatic}
     */
    public String spec(String name, String cutoverMode, Path dir) throws IOException {
        return spec(name, cutoverMode, dir, """
        traffic:
          type: none
        """);
    }

    /** {@link #spec(String, String, Path)} with the spec's {@code traffic:} block (top level). */
    public String spec(String name, String cutoverMode, Path dir, String traffic) throws IOException {
        Path secret = LabSpec.replicationSecret(dir.resolve("replication-password"));
        return """
        %scutover:
          mode: %s
        %sbackup:
          enabled: false
        report:
          directory: %s
        """.formatted(
                        LabSpec.specHead(name, db.flavor(), sourceAddress, targetFlavor, targetAddress, secret)
                                + LabSpec.TEST_PACE,
                        cutoverMode,
                        traffic,
                        dir.resolve("reports"));
    }

    /**
     * Polls the status query (which needs a live worker) until {@code until} holds, and returns
     * that status; fails when {@code within} passes or the migration ends first.
     */
    public static MigrationStatus awaitStatus(
            MigrationWorkflow wf, String what, Predicate<MigrationStatus> until, Duration within, Consumer<String> log)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        MigrationStatus last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = wf.status();
                if (until.test(last)) {
                    log.accept(what + ": phase " + last.phase());
                    return last;
                }
                if (last.phase().isTerminal()) break;
            } catch (RuntimeException e) {
                // no worker answers queries yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not reached within " + within.toSeconds() + "s: " + what + "; last status: "
                + (last == null ? "none" : last.phase() + ", failure " + last.failure() + ", notes " + last.notes()));
    }
}
