package dev.switchover.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The demo on PostgreSQL lab hosts, of any version the lab has: its tables in the postgres
 * database, everything done as the lab's postgres superuser, the writer included.
 */
public final class PostgresDemoDialect implements DemoDialect {
    private final LabFlavor flavor;
    private final String adminPassword;

    PostgresDemoDialect(LabFlavor flavor, String adminPassword) {
        this.flavor = flavor;
        this.adminPassword = adminPassword;
    }

    @Override
    public LabFlavor flavor() {
        return flavor;
    }

    @Override
    public String table(String name) {
        return name;
    }

    @Override
    public String ordersTable() {
        return "demo_orders";
    }

    @Override
    public String writesTable() {
        return "demo_writes";
    }

    @Override
    public Connection admin(String address) throws SQLException {
        return connect(address, adminPassword);
    }

    @Override
    public Connection app(String address) throws SQLException {
        return admin(address);
    }

    /** The lab's admin login to a host's PostgreSQL. */
    public static Connection connect(String address, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":5432/postgres", p);
    }

    @Override
    public void seedOrders(Connection admin, String table, long rows) throws SQLException {
        try (Statement st = admin.createStatement()) {
            // The ids come from the table's sequence, as an application's do: the new primary's next
            // id must follow them (logical replication does not carry sequences by itself).
            st.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, customer text NOT NULL,"
                    + " amount numeric(12,2), created timestamptz NOT NULL)");
            st.execute("INSERT INTO " + table + " (customer, amount, created) SELECT 'customer-' || (g % 997),"
                    + " (g % 10000) / 100.0, now() - g * interval '1 minute' FROM generate_series(1, " + rows
                    + ") g ORDER BY g");
        }
    }

    @Override
    public void createWrites(Connection admin, String table) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute("CREATE TABLE " + table
                    + " (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
        }
    }

    /** Nothing: the writer logs in as postgres, as it always has on PostgreSQL. */
    @Override
    public void createApp(Connection admin) {}

    @Override
    public SetWriter writer(Supplier<String> primary, String table, long pauseMicros) {
        return new SetWriter(primary, 5432, "postgres", adminPassword, table, pauseMicros);
    }

    @Override
    public TableFingerprint fingerprint(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0) FROM " + table + " t")) {
            rs.next();
            return new TableFingerprint(rs.getLong(1), rs.getString(2));
        }
    }

    @Override
    public boolean isPrimary(String address) throws SQLException {
        try (Connection c = admin(address);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT NOT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Not in recovery: postgres may write anywhere then. */
    @Override
    public boolean servesAsPrimary(String address, String writes) throws SQLException {
        return isPrimary(address);
    }

    /** Refused with read_only_sql_transaction (25006), as {@code default_transaction_read_only} does. */
    @Override
    public boolean refusesWrites(String address, String writes) throws SQLException {
        try (Connection c = admin(address);
                Statement st = c.createStatement()) {
            try {
                st.executeUpdate("INSERT INTO " + writes + " (id) VALUES (-1)");
                return false;
            } catch (SQLException e) {
                return "25006".equals(e.getSQLState());
            }
        }
    }

    @Override
    public long insertWithNextId(Connection admin, String table) throws SQLException {
        try (Statement st = admin.createStatement();
                ResultSet rs = st.executeQuery("INSERT INTO " + table + " (customer, amount, created)"
                        + " VALUES ('after the cutover', 1, now()) RETURNING id")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
