package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.secrets.Secret;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.CommandResult;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.testkit.Lab;
import dev.switchover.testkit.LabFlavor;
import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.spec.HostSpec;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.function.Executable;

/**
 * The lab hosts pgs (source) and pgt (target) with fresh clusters, a spec that names them, and the
 * engine under test. The worker's environment is a map holding only the replication password, so
 * nothing depends on the shell that runs the tests.
 */
final class PgPair implements AutoCloseable {
    static final String PASSWORD_VARIABLE = "SWITCHOVER_IT_REPLICATION_PASSWORD";
    static final String DATA_DIR = "/var/lib/postgresql/15/main";
    /** Beside the data directory, so it is private to the host and survives lab.sh reset. */
    static final String COPY_MARKER = "/var/lib/postgresql/15/.switchover-main";

    static final String BACKUPS = "/var/lib/postgresql/switchover-it-backups";

    /** Another run of these tests (a second checkout, CI) may hold the hosts for a few minutes. */
    private static final Duration LEASE_WAIT = Duration.ofMinutes(10);

    private final AutoCloseable lease;
    final Lab source;
    final Lab target;
    final String replicationPassword = "Repl-" + UUID.randomUUID();
    final Hosts hosts;
    final PostgresEngine engine;
    final MigrationSpec spec;

    private final LabFlavor sourceFlavor;
    private final LabFlavor targetFlavor;

    private PgPair(
            Lab source, Lab target, String name, AutoCloseable lease, LabFlavor sourceFlavor, LabFlavor targetFlavor) {
        this.lease = lease;
        this.sourceFlavor = sourceFlavor;
        this.targetFlavor = targetFlavor;
        this.source = source;
        this.target = target;
        this.hosts = new Hosts(new SecretResolver(Map.of(PASSWORD_VARIABLE, replicationPassword)));
        this.engine = new PostgresEngine(hosts);
        this.spec = spec(yaml(name));
    }

    /**
     * Brings pgs and pgt up, gives both a new cluster and removes what earlier runs left beside it.
     * Throws with lab.sh's output if the lab cannot start: these tests never pass without it.
     */
    static PgPair fresh(String name) {
        return fresh(name, LabHost.PGS, LabHost.PGT);
    }

    /** As {@link #fresh(String)}, on two other hosts, each of its own flavor (15 to 17, say). */
    static PgPair fresh(String name, LabHost sourceHost, LabHost targetHost) {
        String[] names = {sourceHost.hostName(), targetHost.hostName()};
        AutoCloseable lease = Lab.lease(LEASE_WAIT, names);
        try {
            Lab s = sourceHost.up();
            Lab t = targetHost.up();
            Lab.reset(names);
            PgPair pair = new PgPair(s, t, name, lease, sourceHost.flavor(), targetHost.flavor());
            for (Lab lab : List.of(s, t)) {
                String dir = lab.get("PG_DATA_DIR");
                String marker = dir.substring(0, dir.lastIndexOf('/') + 1) + ".switchover-"
                        + dir.substring(dir.lastIndexOf('/') + 1);
                pair.sh(lab, "rm", "-rf", "--", marker, BACKUPS);
            }
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

    /** The spec these tests run with: every field a test changes is written out, to be replaced. */
    String yaml(String name) {
        return "name: " + name + "\n"
                + "engine: postgresql\n"
                + LabSpec.host("source", source.address(), sourceFlavor)
                + LabSpec.host("target", target.address(), targetFlavor)
                + "replication:\n"
                + "  password: env:" + PASSWORD_VARIABLE + "\n"
                + "benchmark:\n"
                + "  minIops: 0\n"
                + "  size: 32M\n"
                + "  runtime: 3s\n"
                + "cutover:\n"
                + "  allowSourceRestart: false\n"
                + "  syncTimeout: 30s\n"
                + "backup:\n"
                + "  destination: " + BACKUPS + "\n";
    }

    static MigrationSpec spec(String yaml) {
        return SpecLoader.parse(yaml, "test spec");
    }

    /** A session as the lab's admin (postgres), opened the way the engine opens its own. */
    PgSession admin(Lab lab) {
        HostSpec host = lab == source ? spec.source() : spec.target();
        return PgSession.open(host, Secret.of(lab.adminPassword()), "test " + lab.name());
    }

    /** One value from a fresh admin session on {@code lab}. */
    String one(Lab lab, String sql, Object... params) {
        try (PgSession s = admin(lab)) {
            return s.one(sql, params);
        }
    }

    void execute(Lab lab, String sql, Object... params) {
        try (PgSession s = admin(lab)) {
            s.execute(sql, params);
        }
    }

    RemoteHost ssh(Lab lab) {
        return hosts.ssh(lab.host());
    }

    CommandResult run(Lab lab, Command command) {
        return ssh(lab).run(command);
    }

    /** Runs {@code argv} as root on the host and returns its stdout; fails the test if it fails. */
    String sh(Lab lab, String... argv) {
        return run(lab, Command.of(argv)).orThrow(String.join(" ", argv)).stdout();
    }

    String systemIdentifier(Lab lab) {
        return one(lab, "SELECT system_identifier::text FROM pg_control_system()");
    }

    /** Stops and starts the host's cluster with the lab's commands (settings that need a restart). */
    void restart(Lab lab) {
        sh(lab, "sh", "-c", lab.get("PG_RESTART_CMD"));
    }

    /**
     * A replication connection from the target to the source as {@code user} with {@code password},
     * the way the standby will make it: IDENTIFY_SYSTEM's output, or the failed result.
     */
    CommandResult replicationLoginFromTarget(String user, String password) {
        return run(
                target,
                Command.of(
                                "psql",
                                "-w",
                                "-X",
                                "-At",
                                "-c",
                                "IDENTIFY_SYSTEM",
                                "host=" + source.address() + " port=5432 user=" + user
                                        + " dbname=postgres replication=true")
                        .asUser("postgres")
                        .withSecretEnv("PGPASSWORD", Secret.of(password)));
    }

    /** Polls {@code condition} every 200 ms until it holds or {@code limit} has passed. */
    static boolean eventually(Duration limit, BooleanSupplier condition) {
        Instant until = Instant.now().plus(limit);
        while (true) {
            if (condition.getAsBoolean()) return true;
            if (Instant.now().isAfter(until)) return false;
            Pause.sleep(Duration.ofMillis(200));
        }
    }

    /** Asserts that {@code action} fails non-retryably with {@code type}; returns the failure. */
    static ApplicationFailure failsWith(String type, Executable action) {
        ApplicationFailure f = assertThrows(ApplicationFailure.class, action);
        assertEquals(type, f.getType(), f.getOriginalMessage());
        assertTrue(f.isNonRetryable(), "non-retryable: " + f.getOriginalMessage());
        return f;
    }

    @Override
    public void close() {
        hosts.close();
        try {
            lease.close();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "releasing the lease on " + source.name() + " and " + target.name() + ": " + e, e);
        }
    }

    /** A {@link Progress} that keeps what it was told, as a test's witness of the activity's reports. */
    static final class Recording implements Progress {
        final List<CopyProgress> reports = new CopyOnWriteArrayList<>();
        volatile int beats;

        @Override
        public void alive() {
            beats++;
        }

        @Override
        public void report(CopyProgress progress) {
            reports.add(progress);
        }
    }
}
