package dev.switchover.testkit;

import dev.switchover.workflows.spec.Engine;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * What the demo and the end-to-end tests do that depends on the engine: the lab hosts' flavor,
 * the SQL that seeds the source and reads the outcome, and the logins (the lab's admin for setup
 * and checks; the application's login for the writer).
 */
public interface DemoDialect {

    /**
     * The demo on hosts of {@code engine}'s default flavor ({@link LabFlavor#of(Engine)}).
     * {@code appPassword} is the application account's (MySQL, MariaDB); PostgreSQL's writer logs
     * in as postgres.
     */
    static DemoDialect of(Engine engine, String adminPassword, String appPassword) {
        return of(LabFlavor.of(engine), adminPassword, appPassword);
    }

    /** The demo on hosts of {@code flavor}: where a {@link LabHost} is at hand, its own flavor. */
    static DemoDialect of(LabFlavor flavor, String adminPassword, String appPassword) {
        return flavor.dialect(adminPassword, appPassword);
    }

    /** The flavor of the hosts this dialect was made for. */
    LabFlavor flavor();

    /** {@code name} as a table of the demo's database, e.g. {@code shop.orders}. */
    String table(String name);

    /** The demo's table of orders, which the migration must copy exactly. */
    String ordersTable();

    /** The demo's table the writer inserts its ids into. */
    String writesTable();

    /** As the lab's admin (PostgreSQL's postgres, MySQL's admin). */
    Connection admin(String address) throws SQLException;

    /** As the application: the account the writer uses (PostgreSQL: postgres, as the demo always did). */
    Connection app(String address) throws SQLException;

    /** Creates {@code table} with {@code rows} rows of orders (and the demo's database, where there is one). */
    void seedOrders(Connection admin, String table, long rows) throws SQLException;

    /**
     * Inserts one order with the id the table itself hands out next, as the application's first
     * insert on the new primary does; returns that id, or -1 where the demo's ids are the writer's own.
     */
    default long insertWithNextId(Connection admin, String table) throws SQLException {
        return -1;
    }

    /** Creates the table a {@link SetWriter} inserts its ids into. */
    void createWrites(Connection admin, String table) throws SQLException;

    /** Creates the application's account, allowed to read and write the demo's tables and nothing else. */
    void createApp(Connection admin) throws SQLException;

    /** A writer of ids into {@code table}, logged in as the application, at the address {@code primary} gives. */
    SetWriter writer(Supplier<String> primary, String table, long pauseMicros);

    TableFingerprint fingerprint(Connection c, String table) throws SQLException;

    /** The server at {@code address} is a primary: not a replica, not read-only. */
    boolean isPrimary(String address) throws SQLException;

    /**
     * The server at {@code address} is the primary the application can write to, as checked after
     * a migration ({@code writes}: a table the application may write to).
     */
    boolean servesAsPrimary(String address, String writes) throws SQLException;

    /** The server at {@code address} refuses the application's writes to {@code writes} because it is read-only. */
    boolean refusesWrites(String address, String writes) throws SQLException;
}
