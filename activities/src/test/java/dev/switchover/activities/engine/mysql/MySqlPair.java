package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.secrets.Secret;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.activities.ssh.Command;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabFlavor;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.spec.Engine;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Two MySQL (mys, myt) or MariaDB (mds, mdt) lab hosts with fresh servers, a spec naming them,
 * and the engine under test. The worker's environment holds only the replication password.
 */
final class MySqlPair implements AutoCloseable {
    static final String PASSWORD_VARIABLE = "SWITCHOVER_IT_REPLICATION_PASSWORD";
    static final String BACKUPS = "/var/lib/mysql-backups-it";
    private static final Duration LEASE_WAIT = Duration.ofMinutes(10);

    private final AutoCloseable lease;
    final Engine kind;
    final Lab source;
    final Lab target;
    /**
     * Quotes and a backslash: the password must survive SQL, option files and the shell. 32
     * characters, MySQL's longest replication password.
     */
    final String replicationPassword =
            "Re'pl\"\\-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);

    final Hosts hosts;
    final MySqlEngine engine;
    final MigrationSpec spec;

    private MySqlPair(Engine kind, Lab source, Lab target, String name, AutoCloseable lease) {
        this.kind = kind;
        this.lease = lease;
        this.source = source;
        this.target = target;
        this.hosts = new Hosts(new SecretResolver(Map.of(PASSWORD_VARIABLE, replicationPassword)));
        this.engine = new MySqlEngine(hosts, Dialect.of(kind), DumpCopy::new);
        this.spec = SpecLoader.parse(yaml(name), "test spec");
    }

    static MySqlPair fresh(Engine kind, String name) {
        LabHost source = kind == Engine.MYSQL ? LabHost.MYS : LabHost.MDS;
        LabHost target = kind == Engine.MYSQL ? LabHost.MYT : LabHost.MDT;
        String[] names = {source.hostName(), target.hostName()};
        AutoCloseable lease = Lab.lease(LEASE_WAIT, names);
        try {
            Lab s = source.up();
            Lab t = target.up();
            Lab.reset(names);
            MySqlPair pair = new MySqlPair(kind, s, t, name, lease);
            pair.sh(t, "rm", "-rf", "--", BACKUPS);
            return pair;
        } catch (RuntimeException e) {
            try {
                lease.close();
            } catch (Exception ignored) {
                // the lab's failure is the one to report
            }
            throw e;
        }
    }

    /**
     * {@code 'USER'@'ADDRESS'}: an account that logs in from the worker's side of the lab's bridge,
     * where the tests connect from.
     */
    static String account(String user) {
        return "'" + user + "'@'" + LabHost.WORKER_ADDRESS + "'";
    }

    String yaml(String name) {
        return "name: " + name + "\n"
                + "engine: " + kind.id() + "\n"
                + LabSpec.host("source", source.address(), LabFlavor.of(kind))
                + LabSpec.host("target", target.address(), LabFlavor.of(kind))
                + "replication:\n"
                + "  password: env:" + PASSWORD_VARIABLE + "\n"
                + "benchmark:\n"
                + "  minIops: 0\n"
                + "cutover:\n"
                + "  syncTimeout: 30s\n"
                + "backup:\n"
                + "  destination: " + BACKUPS + "\n";
    }

    /** A session as the lab's admin, opened the way the engine opens its own. */
    MySqlSession admin(Lab lab) {
        HostSpec host = lab == source ? spec.source() : spec.target();
        return MySqlSession.open(Dialect.of(kind), host, Secret.of(lab.adminPassword()), "test " + lab.name());
    }

    String one(Lab lab, String sql, Object... params) {
        try (MySqlSession s = admin(lab)) {
            return s.one(sql, params);
        }
    }

    void execute(Lab lab, String... statements) {
        try (MySqlSession s = admin(lab)) {
            for (String sql : statements) s.execute(sql);
        }
    }

    String sh(Lab lab, String... argv) {
        return hosts.ssh(lab.host())
                .run(Command.of(argv))
                .orThrow(String.join(" ", argv))
                .stdout();
    }

    /** A checksum of every row of {@code table}, the same on both servers when the data is. */
    String fingerprint(Lab lab, String table) {
        return one(
                lab,
                "SELECT concat(count(*), '/', coalesce(sum(crc32(concat_ws('|', id, customer, amount))), 0))" + " FROM "
                        + table);
    }

    @Override
    public void close() throws Exception {
        hosts.close();
        lease.close();
    }
}
