package dev.switchover.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The demo on MySQL or MariaDB lab hosts: the database {@code shop} with InnoDB tables, set up by
 * the lab's admin, and an application account {@code 'app'@}{@link LabHost#WORKER_ADDRESS} that may only read and
 * write {@code shop}, which the writer logs in with. The admin has every privilege (MySQL's
 * CONNECTION_ADMIN, MariaDB's READ_ONLY ADMIN), so only the application's writes show what
 * read_only stops.
 */
final class MySqlDemoDialect implements DemoDialect {
    static final String DATABASE = "shop";
    static final String APP_USER = "app";
    /** Where the writer and the tests connect from: the lab's bridge, as every host sees it. */
    static final String APP_HOST = LabHost.WORKER_ADDRESS;

    /** MySQL's ER_OPTION_PREVENTS_STATEMENT: "running with the --(super-)read-only option". */
    private static final int READ_ONLY_ERROR = 1290;
    /** ER_ACCOUNT_HAS_BEEN_LOCKED (MySQL 3118, MariaDB 4151): the fence locks the application's account on the old source. */
    private static final java.util.Set<Integer> ACCOUNT_LOCKED = java.util.Set.of(3118, 4151);

    private static final int ROWS_PER_BATCH = 5000;
    private static final Pattern PLAIN_PASSWORD = Pattern.compile("[A-Za-z0-9]{12,}");

    /**
     * What differs between the two: the JDBC driver (Connector/J or MariaDB's), how each asks for
     * TLS without checking the lab's self-made certificate, and the setting that makes the server
     * refuse the application's writes after the cutover.
     */
    enum Flavor {
        MYSQL(
                LabFlavor.MYSQL,
                "jdbc:mysql://",
                Map.of("sslMode", "REQUIRED", "rewriteBatchedStatements", "true"),
                "super_read_only"),
        MARIADB(LabFlavor.MARIADB, "jdbc:mariadb://", Map.of("sslMode", "trust"), "read_only");

        final LabFlavor lab;
        final String urlPrefix;
        final Map<String, String> driverProperties;
        final String readOnlySetting;

        Flavor(LabFlavor lab, String urlPrefix, Map<String, String> driverProperties, String readOnlySetting) {
            this.lab = lab;
            this.urlPrefix = urlPrefix;
            this.driverProperties = driverProperties;
            this.readOnlySetting = readOnlySetting;
        }
    }

    private final Flavor flavor;
    private final String adminPassword;
    private final String appPassword;

    MySqlDemoDialect(Flavor flavor, String adminPassword, String appPassword) {
        this.flavor = flavor;
        this.adminPassword = adminPassword;
        this.appPassword = appPassword;
    }

    @Override
    public LabFlavor flavor() {
        return flavor.lab;
    }

    @Override
    public String table(String name) {
        return DATABASE + "." + name;
    }

    @Override
    public String ordersTable() {
        return table("orders");
    }

    @Override
    public String writesTable() {
        return table("writes");
    }

    @Override
    public Connection admin(String address) throws SQLException {
        return connect(address, "admin", adminPassword, 5000, 0);
    }

    /** With the writer's short timeouts: a dead primary is noticed within seconds. */
    @Override
    public Connection app(String address) throws SQLException {
        return connect(address, APP_USER, appPassword, 2000, 5000);
    }

    private Connection connect(String address, String user, String password, int connectMillis, int socketMillis)
            throws SQLException {
        Properties p = new Properties();
        p.putAll(flavor.driverProperties);
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", Integer.toString(connectMillis));
        p.setProperty("socketTimeout", Integer.toString(socketMillis));
        return DriverManager.getConnection(flavor.urlPrefix + address + ":3306/", p);
    }

    @Override
    public void seedOrders(Connection admin, String table, long rows) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
            st.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, customer VARCHAR(40) NOT NULL,"
                    + " amount DECIMAL(12,2), created DATETIME NOT NULL) ENGINE=InnoDB");
        }
        // No generate_series, and recursive CTEs stop at 1000 rows by default on both servers: batches.
        boolean autoCommit = admin.getAutoCommit();
        admin.setAutoCommit(false);
        try (PreparedStatement insert = admin.prepareStatement("INSERT INTO " + table
                + " (id, customer, amount, created) VALUES (?, CONCAT('customer-', ? % 997), (? % 10000) / 100.0,"
                + " TIMESTAMP'2026-01-01 00:00:00' - INTERVAL ? MINUTE)")) {
            for (long g = 1; g <= rows; g++) {
                for (int i = 1; i <= 4; i++) insert.setLong(i, g);
                insert.addBatch();
                if (g % ROWS_PER_BATCH == 0 || g == rows) {
                    insert.executeBatch();
                    admin.commit();
                }
            }
        } finally {
            admin.setAutoCommit(autoCommit);
        }
    }

    @Override
    public void createWrites(Connection admin, String table) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
            st.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY,"
                    + " at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB");
        }
    }

    /** {@code 'app'@}{@link LabHost#WORKER_ADDRESS}: SELECT, INSERT, UPDATE, DELETE on {@code shop}, nothing more. */
    @Override
    public void createApp(Connection admin) throws SQLException {
        // DDL takes no parameters; the password is our own random one, checked before it is quoted.
        if (!PLAIN_PASSWORD.matcher(appPassword).matches()) {
            throw new IllegalArgumentException("the application's password must be 12 or more letters and digits");
        }
        String account = "'" + APP_USER + "'@'" + APP_HOST + "'";
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE);
            st.execute("CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" + appPassword + "'");
            st.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + DATABASE + ".* TO " + account);
        }
    }

    @Override
    public SetWriter writer(Supplier<String> primary, String table, long pauseMicros) {
        return new SetWriter(primary, this::app, table, pauseMicros);
    }

    /** A CRC32 per row over its values as text, summed: the order of rows does not matter. */
    @Override
    public TableFingerprint fingerprint(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*),"
                        + " COALESCE(SUM(CRC32(CONCAT_WS('|', id, customer, amount, created))), 0) FROM " + table)) {
            rs.next();
            return new TableFingerprint(rs.getLong(1), rs.getString(2));
        }
    }

    /** Not read-only, and no replication thread running (a stopped, unreset channel is no matter). */
    @Override
    public boolean isPrimary(String address) throws SQLException {
        try (Connection c = admin(address);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT @@global.read_only")) {
                rs.next();
                if (rs.getBoolean(1)) return false;
            }
            try (ResultSet rs = st.executeQuery("SHOW REPLICA STATUS")) {
                return !replicating(rs);
            }
        }
    }

    /** Any channel's IO or SQL thread running; MySQL names the columns Replica_*, MariaDB Slave_*. */
    private static boolean replicating(ResultSet status) throws SQLException {
        ResultSetMetaData meta = status.getMetaData();
        while (status.next()) {
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String column = meta.getColumnLabel(i);
                if ((column.endsWith("_IO_Running") || column.endsWith("_SQL_Running"))
                        && "Yes".equals(status.getString(i))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A primary, and the application's insert (of id -1, deleted again) into {@code writes}
     * succeeds. An error other than read-only (no such account, no grant) is thrown: it says why.
     */
    @Override
    public boolean servesAsPrimary(String address, String writes) throws SQLException {
        if (!isPrimary(address)) return false;
        try (Connection c = app(address);
                Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO " + writes + " (id) VALUES (-1)");
            st.executeUpdate("DELETE FROM " + writes + " WHERE id = -1");
            return true;
        } catch (SQLException e) {
            if (e.getErrorCode() == READ_ONLY_ERROR) return false;
            throw e;
        }
    }

    /**
     * MySQL's super_read_only (which stops even the admin) or MariaDB's read_only is on, and the
     * application's insert is refused for it, or its login is (the fence locks its account). Any other
     * error is thrown: it says why.
     */
    @Override
    public boolean refusesWrites(String address, String writes) throws SQLException {
        try (Connection c = admin(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT @@global." + flavor.readOnlySetting)) {
            rs.next();
            if (!rs.getBoolean(1)) return false;
        }
        try (Connection c = app(address);
                Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO " + writes + " (id) VALUES (-1)");
            return false;
        } catch (SQLException e) {
            // The fence locks the application's account on the old source: refused at login is refused too.
            if (e.getErrorCode() == READ_ONLY_ERROR || ACCOUNT_LOCKED.contains(e.getErrorCode())) return true;
            throw e;
        }
    }
}
