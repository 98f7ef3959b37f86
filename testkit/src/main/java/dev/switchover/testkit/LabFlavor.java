package dev.switchover.testkit;

import dev.switchover.workflows.spec.Engine;

/**
 * The kinds of lab host (lab.sh's flavors): the name {@code lab.sh up NAME:ADDRESS:FLAVOR} takes,
 * the {@code database:} block of a migration spec for such a host, and the demo's SQL and logins
 * there. A {@link LabHost} keeps its flavor; {@link #of(Engine)} is each engine's default.
 */
public enum LabFlavor {
    POSTGRES15(Engine.POSTGRESQL, "postgres15", "PostgreSQL 15", postgresDatabase(15), LabFlavor::postgresDialect),
    POSTGRES17(Engine.POSTGRESQL, "postgres17", "PostgreSQL 17", postgresDatabase(17), LabFlavor::postgresDialect),
    POSTGRES18(Engine.POSTGRESQL, "postgres18", "PostgreSQL 18", postgresDatabase(18), LabFlavor::postgresDialect),
    MYSQL(
            Engine.MYSQL,
            "mysql",
            "MySQL 9.7",
            LabFlavor.MYSQL_DATABASE,
            (flavor, admin, app) -> new MySqlDemoDialect(MySqlDemoDialect.Flavor.MYSQL, admin, app)),
    MARIADB(
            Engine.MARIADB,
            "mariadb",
            "MariaDB 10.11",
            LabFlavor.MYSQL_DATABASE,
            (flavor, admin, app) -> new MySqlDemoDialect(MySqlDemoDialect.Flavor.MARIADB, admin, app));

    /** The demo's SQL and logins on such hosts, from the lab's admin password and the application's. */
    private interface Dialects {
        DemoDialect make(LabFlavor flavor, String adminPassword, String appPassword);
    }

    /**
     * The lab's PostgreSQL hosts, whatever the major version: Debian's cluster "main" of that
     * version (its data directory and pg_ctlcluster), with the admin password file left to
     * {@link #databaseSpec}.
     */
    private static final String POSTGRES_DATABASE = """
          database:
            adminPassword: file:%%s
            dataDirectory: /var/lib/postgresql/%1$d/main
            serviceStart: pg_ctlcluster %1$d main start
            serviceStop: pg_ctlcluster %1$d main stop
        """;

    private static String postgresDatabase(int major) {
        return POSTGRES_DATABASE.formatted(major);
    }

    private static DemoDialect postgresDialect(LabFlavor flavor, String adminPassword, String appPassword) {
        return new PostgresDemoDialect(flavor, adminPassword);
    }

    /**
     * The lab's MySQL and MariaDB hosts alike: the admin account is 'admin' at the worker's address
     * ({@link LabHost#WORKER_ADDRESS}; root logs in through the socket only), the lab starts and stops the server itself (no init system), and
     * the server has TLS on.
     */
    private static final String MYSQL_DATABASE = """
          database:
            port: 3306
            adminUser: admin
            adminPassword: file:%s
            osUser: mysql
            dataDirectory: /var/lib/mysql
            serviceStart: 'lab-mysqld start'
            serviceStop: 'lab-mysqld stop'
            tls: require
        """;

    private final Engine engine;
    private final String id;
    private final String product;
    private final String database;
    private final Dialects dialects;

    LabFlavor(Engine engine, String id, String product, String database, Dialects dialects) {
        this.engine = engine;
        this.id = id;
        this.product = product;
        this.database = database;
        this.dialects = dialects;
    }

    /** {@code appPassword} is the application account's (MySQL, MariaDB); PostgreSQL's writer logs in as postgres. */
    public DemoDialect dialect(String adminPassword, String appPassword) {
        return dialects.make(this, adminPassword, appPassword);
    }

    /**
     * {@code engine}'s default flavor, the first declared: PostgreSQL 15 for PostgreSQL, the flavor
     * of the hosts made before flavors had versions. Where a {@link LabHost} is at hand, its own
     * {@link LabHost#flavor()} is the one to use.
     */
    public static LabFlavor of(Engine engine) {
        for (LabFlavor f : values()) {
            if (f.engine == engine) return f;
        }
        throw new IllegalArgumentException("the lab has no hosts for " + engine.id());
    }

    public Engine engine() {
        return engine;
    }

    /** As lab.sh spells it. */
    public String id() {
        return id;
    }

    /** The server and its version, for people: "MySQL 9.7". */
    public String product() {
        return product;
    }

    /** {@code NAME:ADDRESS:FLAVOR}, an argument of {@code lab.sh up}. */
    public String host(String name, String address) {
        return name + ":" + address + ":" + id;
    }

    /**
     * A lab host's {@code database:} block of a spec, indented as in {@link LabSpec#hostSpec}.
     * The admin password is the lab's one file for every engine ({@code lab.sh env} calls it
     * PG_ADMIN_PASSWORD_FILE or MYSQL_ADMIN_PASSWORD_FILE).
     */
    public String databaseSpec() {
        return database.formatted(LabSpec.ADMIN_PASSWORD_FILE);
    }
}
