package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.secrets.Secret;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.TlsMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A JDBC session to one MySQL or MariaDB server as its admin user, through the engine's own driver
 * (Connector/J for MySQL, MariaDB Connector/J for MariaDB). Values come back as strings.
 */
final class MySqlSession implements AutoCloseable {
    private final Connection connection;
    private final String where;
    final Dialect dialect;

    private MySqlSession(Connection connection, String where, Dialect dialect) {
        this.connection = connection;
        this.where = where;
        this.dialect = dialect;
    }

    static MySqlSession open(Dialect dialect, HostSpec host, Secret password, String role) {
        return open(dialect, host, password, role, Duration.ofMinutes(2));
    }

    /** A session whose statements may run up to {@code statementLimit} (CLONE INSTANCE runs for hours). */
    static MySqlSession open(Dialect dialect, HostSpec host, Secret password, String role, Duration statementLimit) {
        return open(dialect, host, password, role, statementLimit, Duration.ofSeconds(10));
    }

    /** A session that gives up connecting after {@code connectLimit}: for a server that may be gone. */
    static MySqlSession open(
            Dialect dialect,
            HostSpec host,
            Secret password,
            String role,
            Duration statementLimit,
            Duration connectLimit) {
        String where = host.database().adminUser() + "@" + host.address() + ":"
                + host.database().port() + " (" + role + ")";
        Properties p = new Properties();
        p.setProperty("user", host.database().adminUser());
        p.setProperty("password", password.reveal());
        TlsMode tls = host.database().tls();
        p.setProperty("sslMode", dialect.sslMode(tls));
        p.setProperty("connectTimeout", String.valueOf(connectLimit.toMillis()));
        p.setProperty("socketTimeout", String.valueOf(statementLimit.toMillis()));
        dialect.driverProperties().forEach(p::setProperty);
        String url = dialect.jdbcPrefix + hostLiteral(host.address()) + ":"
                + host.database().port() + "/";
        try {
            return prepared(DriverManager.getConnection(url, p), where, dialect);
        } catch (SQLException e) {
            if (dialect.retriesWithoutTls(tls) && String.valueOf(e.getMessage()).contains("SSL")) {
                p.setProperty("sslMode", "disable");
                try {
                    return prepared(DriverManager.getConnection(url, p), where, dialect);
                } catch (SQLException plain) {
                    throw translate(plain, where, dialect);
                }
            }
            throw translate(e, where, dialect);
        }
    }

    private static MySqlSession prepared(Connection c, String where, Dialect dialect) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("SET SESSION sql_mode = REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
        }
        return new MySqlSession(c, where, dialect);
    }

    private static String hostLiteral(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    /** A refused login cannot be fixed by retrying; a refused connection may come back. */
    static RuntimeException translate(SQLException e, String where, Dialect dialect) {
        if (e.getErrorCode() == 1045 || "28000".equals(e.getSQLState())) {
            return Failures.fatal(
                    Failures.BAD_CREDENTIALS,
                    dialect.displayName() + " refused " + where + ": "
                            + e.getMessage()
                            + ". Check the password the spec's adminPassword refers to and that the account"
                            + " may log in from the worker's address.");
        }
        return new IllegalStateException(dialect.displayName() + " " + where + ": " + e.getMessage(), e);
    }

    /** The server's error number behind a failure this class raised, or 0 if it had none. */
    static int errorCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e) return e.getErrorCode();
        }
        return 0;
    }

    String one(String sql, Object... params) {
        List<List<String>> rows = rows(sql, params);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    List<String> row(String sql, Object... params) {
        List<List<String>> rows = rows(sql, params);
        return rows.isEmpty() ? null : rows.get(0);
    }

    List<List<String>> rows(String sql, Object... params) {
        List<List<String>> out = new ArrayList<>();
        for (Map<String, String> r : named(sql, params)) out.add(new ArrayList<>(r.values()));
        return out;
    }

    /** Rows by column label, in order: for SHOW statements whose columns differ by version. */
    List<Map<String, String>> named(String sql, Object... params) {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) st.setObject(i + 1, params[i]);
            try (ResultSet rs = st.executeQuery()) {
                List<Map<String, String>> out = new ArrayList<>();
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int c = 1; c <= md.getColumnCount(); c++) row.put(md.getColumnLabel(c), rs.getString(c));
                    out.add(row);
                }
                return out;
            }
        } catch (SQLException e) {
            throw translate(e, where, dialect);
        }
    }

    void execute(String sql, Object... params) {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) st.setObject(i + 1, params[i]);
            st.execute();
        } catch (SQLException e) {
            throw translate(e, where, dialect);
        }
    }

    /**
     * Runs a statement that takes no placeholders (CHANGE REPLICATION SOURCE, CREATE USER with a
     * password). Its text never reaches an exception or a log, and {@code secret} is cut out of the
     * server's message, which may quote the statement.
     */
    void executeSecret(String sql, String secret, String what) {
        try (var st = connection.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            if (e.getErrorCode() == 1045) throw translate(e, where, dialect);
            String message = String.valueOf(e.getMessage());
            if (secret != null && !secret.isEmpty()) message = message.replace(secret, "[secret]");
            throw new IllegalStateException(dialect.displayName() + " " + where + ": " + what + " failed: " + message
                    + " (error " + e.getErrorCode() + ")");
        }
    }

    static String ident(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /**
     * A quoted string for statements that take no placeholders. The session's sql_mode never has
     * NO_BACKSLASH_ESCAPES (see open), so a backslash is escaped like a quote.
     */
    static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a broken connection has nothing left to tell
        }
    }
}
