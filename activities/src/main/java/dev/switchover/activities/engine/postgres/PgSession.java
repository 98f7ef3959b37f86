package dev.switchover.activities.engine.postgres;

import dev.switchover.activities.secrets.Secret;
import dev.switchover.workflows.Failures;
import dev.switchover.workflows.spec.HostSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;

/**
 * A JDBC session to one server as its admin user. Queries return plain values or rows of strings:
 * the engine reads a handful of settings and positions, nothing that needs an ORM.
 */
final class PgSession implements AutoCloseable {
    private final Connection connection;
    private final String where;

    private PgSession(Connection connection, String where) {
        this.connection = connection;
        this.where = where;
    }

    static PgSession open(HostSpec host, Secret password, String role) {
        return open(host, password, role, 10);
    }

    static PgSession open(HostSpec host, Secret password, String role, int connectSeconds) {
        return open(host, password, role, connectSeconds, "postgres");
    }

    /** A session in {@code database}: logical replication's objects (publications) live in each database. */
    static PgSession open(HostSpec host, Secret password, String role, int connectSeconds, String database) {
        String where = host.database().adminUser() + "@" + host.address() + ":"
                + host.database().port() + (database.equals("postgres") ? "" : "/" + database) + " (" + role + ")";
        Properties p = new Properties();
        p.setProperty("user", host.database().adminUser());
        p.setProperty("password", password.reveal());
        p.setProperty("sslmode", host.database().tls().id());
        p.setProperty("connectTimeout", String.valueOf(connectSeconds));
        p.setProperty("socketTimeout", "120");
        p.setProperty("ApplicationName", "switchover");
        String url = "jdbc:postgresql://" + hostLiteral(host.address()) + ":"
                + host.database().port() + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
        try {
            return new PgSession(DriverManager.getConnection(url, p), where);
        } catch (SQLException e) {
            throw translate(e, where);
        }
    }

    private static String hostLiteral(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    /** Authentication problems cannot be fixed by retrying; a refused connection may come back. */
    static RuntimeException translate(SQLException e, String where) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("28P01") || state.equals("28000")) {
            return Failures.fatal(
                    Failures.BAD_CREDENTIALS,
                    "PostgreSQL refused " + where + ": " + e.getMessage()
                            + ". Check the password the spec's adminPassword refers to and pg_hba.conf on that server.");
        }
        return new IllegalStateException("PostgreSQL " + where + ": " + e.getMessage(), e);
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
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) st.setObject(i + 1, params[i]);
            try (ResultSet rs = st.executeQuery()) {
                List<List<String>> out = new ArrayList<>();
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(n);
                    for (int c = 1; c <= n; c++) row.add(rs.getString(c));
                    out.add(row);
                }
                return out;
            }
        } catch (SQLException e) {
            throw translate(e, where);
        }
    }

    void execute(String sql, Object... params) {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) st.setObject(i + 1, params[i]);
            st.execute();
        } catch (SQLException e) {
            throw translate(e, where);
        }
    }

    /**
     * Sets a role's password as a SCRAM verifier computed here, so the clear text never reaches the
     * server's statement log.
     */
    void setScramPassword(String role, Secret password) {
        try {
            connection
                    .unwrap(PGConnection.class)
                    .alterUserPassword(role, password.reveal().toCharArray(), "scram-sha-256");
        } catch (SQLException e) {
            throw translate(e, where);
        }
    }

    /** Whether {@code e} says the server could not be reached at all (SQLSTATE class 08), not that it refused. */
    static boolean unreachable(RuntimeException e) {
        return e.getCause() instanceof SQLException sql
                && sql.getSQLState() != null
                && sql.getSQLState().startsWith("08");
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
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
