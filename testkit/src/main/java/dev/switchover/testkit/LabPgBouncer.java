package dev.switchover.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * PgBouncer on its own lab host in front of a {@link LabPair}'s source, database {@code appdb},
 * pool mode transaction, as {@code lab.sh pgbouncer} sets it up: the test and the bench reach the
 * source through it, and a migration with {@link #trafficSpec} repoints it at the target.
 *
 * <pre>
 * LabPgBouncer bouncer = LabPgBouncer.up(lab, LabHost.PGBW.hostName(), LabHost.PGBW.address());
 * lab.reset();
 * bouncer.start();   // after every reset: it admits PgBouncer's host on both fresh clusters
 * </pre>
 */
public final class LabPgBouncer {
    public static final String DATABASE = "appdb";

    private final LabPair lab;
    private final String name;
    private final String address;

    private LabPgBouncer(LabPair lab, String name, String address) {
        this.lab = lab;
        this.name = name;
        this.address = address;
    }

    /** Creates PgBouncer's host, or repairs it (lab.sh up). */
    public static LabPgBouncer up(LabPair lab, String name, String address) {
        lab.run("up", name + ":" + address);
        return new LabPgBouncer(lab, name, address);
    }

    public String address() {
        return address;
    }

    /** Lets PgBouncer's host log in to both clusters, then (re)starts it in front of the source. */
    public void start() {
        admit(lab.sourceName());
        admit(lab.targetName());
        lab.run("pgbouncer", name, "start", DATABASE + "=" + lab.sourceAddress() + "/postgres");
    }

    public void stop() {
        lab.run("pgbouncer", name, "stop");
    }

    /**
     * The application's connection: TLS to PgBouncer, no server-side prepared statements
     * (transaction pooling).
     */
    public Connection connect(String applicationName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", LabSpec.adminPassword());
        p.setProperty("sslmode", "require");
        p.setProperty("prepareThreshold", "0");
        p.setProperty("connectTimeout", "5");
        // Held queries wait out the pause; only a dead PgBouncer should break the connection.
        p.setProperty("socketTimeout", "120");
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection("jdbc:postgresql://" + address + ":6432/" + DATABASE, p);
    }

    /** A spec's {@code traffic:} block (top level) that switches through this PgBouncer. */
    public String trafficSpec() {
        return LabSpec.pgBouncerTraffic(address, "file:" + LabSpec.ADMIN_PASSWORD_FILE, DATABASE);
    }

    /** The [databases] line for {@link #DATABASE} in PgBouncer's configuration file. */
    public String entry() {
        return lab.run("exec", name, "grep", "^" + DATABASE + " ", "/etc/pgbouncer/pgbouncer.ini")
                .strip();
    }

    /**
     * What the running PgBouncer says about {@link #DATABASE} (SHOW DATABASES): {@code host:port},
     * and {@code paused} if it holds its clients, e.g. {@code <target address>:5432 running}.
     */
    public String routing() {
        String csv = lab.run(
                "exec",
                name,
                "sh",
                "-c",
                "PGPASSWORD=$(cat \"$1\") psql -X -q --csv -d \"$2\" -c 'SHOW DATABASES'",
                "sh",
                LabSpec.ADMIN_PASSWORD_FILE,
                "host=" + address + " port=6432 user=pgbouncer dbname=pgbouncer");
        String[] lines = csv.strip().split("\n");
        List<String> header = List.of(lines[0].split(","));
        for (String line : lines) {
            String[] f = line.split(",", -1);
            if (f[0].equals(DATABASE)) {
                return f[header.indexOf("host")] + ":" + f[header.indexOf("port")] + " "
                        + ("1".equals(f[header.indexOf("paused")]) ? "paused" : "running");
            }
        }
        throw new IllegalStateException("PgBouncer on " + name + " has no " + DATABASE + ": " + csv);
    }

    /** As a real deployment's pg_hba would: postgres may log in from PgBouncer's host. */
    private void admit(String host) {
        String rule = "host all postgres " + address + "/32 scram-sha-256";
        lab.run(
                "exec",
                host,
                "sh",
                "-c",
                "f=/etc/postgresql/15/main/pg_hba.conf; grep -qxF \"$1\" $f || echo \"$1\" >> $f; pg_ctlcluster 15 main reload",
                "sh",
                rule);
    }
}
