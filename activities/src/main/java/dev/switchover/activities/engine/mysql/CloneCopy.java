package dev.switchover.activities.engine.mysql;

import dev.switchover.activities.engine.Pause;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.ssh.Command;
import dev.switchover.activities.ssh.RemoteHost;
import dev.switchover.workflows.activities.CopyProgress;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.TlsMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MySQL's physical base copy: CLONE INSTANCE on the target pulls the source's whole data
 * directory (accounts and GTID history included) page by page, far faster than a dump for large
 * datasets. The target then restarts; without a supervising process (mysqld_safe, systemd) it
 * stops instead, and the service command starts it again.
 */
public final class CloneCopy implements MySqlCopyMethod {
    private static final Logger log = LoggerFactory.getLogger(CloneCopy.class);
    /** How long the target may take to come back after the clone. */
    private static final Duration RESTART_WAIT = Duration.ofMinutes(10);
    /** "Restart server failed (mysqld is not managed by supervisor process)": the clone is done. */
    private static final int NOT_SUPERVISED = 3707;

    private final MySqlEngine engine;

    public CloneCopy(MySqlEngine engine) {
        this.engine = engine;
    }

    @Override
    public String name() {
        return "clone";
    }

    /** Why these two servers cannot clone, or null: the same release series, 8.0.17 or newer. */
    @Override
    public String incompatibility(Version source, Version target) {
        if (!source.atLeast(8, 0, 17)) return "CLONE needs MySQL 8.0.17 or newer; the source runs " + source;
        if (source.major() != target.major()
                || source.minor() != target.minor()
                || (!source.atLeast(8, 0, 37) && source.patch() != target.patch())) {
            return "CLONE needs the same MySQL release on both ends (the same series from 8.0.37 on); the source runs "
                    + source + " and the target " + target + ": use replication.copyMethod: dump";
        }
        return null;
    }

    /** The clone plugin on the source, and BACKUP_ADMIN for the replication account, which the clone logs in as. */
    @Override
    public void prepareSource(MySqlSession s, String account, List<String> notes) {
        if (installPlugin(s)) notes.add("installed the clone plugin on the source (UNINSTALL PLUGIN clone removes it)");
        s.execute("GRANT BACKUP_ADMIN ON *.* TO " + account);
    }

    /** Nothing: the clone replaces the whole data directory, accounts included. */
    @Override
    public void prepareTarget(MigrationSpec spec, MySqlSession t) {}

    @Override
    public long copy(MigrationSpec spec, List<String> schemas, List<DumpProgress.Table> tables, Progress progress) {
        return run(
                spec,
                engine.replicationPassword(spec).reveal(),
                () -> engine.target(spec),
                () -> engine.target(spec, MySqlEngine.COPY_TIMEOUT),
                engine.hosts().ssh(spec.target()),
                progress);
    }

    /** The clone brings the source's accounts: after it, the source's admin password is the one that works. */
    @Override
    public boolean replacesTargetAccounts() {
        return true;
    }

    /**
     * Clones into the target and returns the bytes copied. {@code admin} opens a session to the
     * target: before the clone with the target's password, after it with whichever works.
     */
    private static long run(
            MigrationSpec spec,
            String replicationPassword,
            Supplier<MySqlSession> admin,
            Supplier<MySqlSession> longAdmin,
            RemoteHost targetHost,
            Progress progress) {
        String donor = spec.source().address() + ":" + spec.source().database().port();
        try (MySqlSession t = admin.get()) {
            installPlugin(t);
            t.execute("SET GLOBAL clone_valid_donor_list = ?", donor);
        }
        String statement =
                "CLONE INSTANCE FROM " + MySqlSession.literal(spec.replication().user()) + "@"
                        + MySqlSession.literal(spec.source().address()) + ":"
                        + spec.source().database().port() + " IDENTIFIED BY "
                        + MySqlSession.literal(replicationPassword)
                        + (spec.source().database().tls() == TlsMode.DISABLE ? " REQUIRE NO SSL" : " REQUIRE SSL");
        CompletableFuture<Void> clone = CompletableFuture.runAsync(() -> {
            try (MySqlSession t = longAdmin.get()) {
                t.executeSecret(statement, replicationPassword, "CLONE INSTANCE FROM " + donor);
            }
        });
        long bytes = 0;
        while (true) {
            try {
                clone.get(2, TimeUnit.SECONDS);
                break;
            } catch (TimeoutException e) {
                bytes = Math.max(bytes, report(admin, progress));
            } catch (ExecutionException e) {
                if (!String.valueOf(e.getCause().getMessage()).contains("error " + NOT_SUPERVISED)
                        && !isConnectionLoss(e.getCause())) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                clone.cancel(true);
                throw new IllegalStateException("interrupted during CLONE", e);
            }
            progress.alive();
        }
        restart(spec, admin, targetHost, progress);
        try (MySqlSession t = admin.get()) {
            List<String> status =
                    t.row("SELECT state, error_no, coalesce(error_message, '') FROM performance_schema.clone_status");
            if (status == null || !"Completed".equals(status.get(0))) {
                throw new IllegalStateException("the clone from " + donor + " did not complete: " + status);
            }
            String copied = t.one("SELECT coalesce(sum(data), 0) FROM performance_schema.clone_progress");
            bytes = Math.max(bytes, Long.parseLong(copied));
        }
        log.info("target {}: cloned {} bytes from {}", spec.target().address(), bytes, donor);
        return bytes;
    }

    /** Installs the clone plugin unless it is active; whether it did. Both ends of a clone need it. */
    private static boolean installPlugin(MySqlSession s) {
        if (s.one("SELECT 1 FROM information_schema.plugins WHERE plugin_name = 'clone'"
                        + " AND plugin_status = 'ACTIVE'")
                != null) {
            return false;
        }
        s.execute("INSTALL PLUGIN clone SONAME 'mysql_clone.so'");
        return true;
    }

    private static boolean isConnectionLoss(Throwable t) {
        String m = String.valueOf(t.getMessage()).toLowerCase();
        return m.contains("communications link failure") || m.contains("connection") && m.contains("lost");
    }

    /** Progress from the target's performance_schema while it still answers; the bytes so far. */
    private static long report(Supplier<MySqlSession> admin, Progress progress) {
        try (MySqlSession t = admin.get()) {
            List<String> row = t.row(
                    "SELECT coalesce(sum(data), 0), coalesce(sum(estimate), 0),"
                            + " coalesce(max(CASE WHEN state = 'In Progress' THEN stage END), '') FROM performance_schema.clone_progress");
            long done = Long.parseLong(row.get(0));
            long total = Math.max(done, Long.parseLong(row.get(1)));
            progress.report(new CopyProgress(done, total, "CLONE " + row.get(2).toLowerCase()));
            return done;
        } catch (RuntimeException e) {
            return 0; // the target restarts at the end of a clone
        }
    }

    /** Starts the target with its service command if the clone left it stopped, and waits until it answers. */
    private static void restart(
            MigrationSpec spec, Supplier<MySqlSession> admin, RemoteHost targetHost, Progress progress) {
        Instant until = Instant.now().plus(RESTART_WAIT);
        RuntimeException last = null;
        boolean started = false;
        while (Instant.now().isBefore(until)) {
            try (MySqlSession t = admin.get()) {
                if ("Completed".equals(t.one("SELECT state FROM performance_schema.clone_status"))
                        || "Failed".equals(t.one("SELECT state FROM performance_schema.clone_status"))) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (!started && !targetHost.run(Command.of("pgrep", "-x", "mysqld")).ok()) {
                targetHost
                        .run(Command.of("sh", "-c", spec.target().database().serviceStart())
                                .withTimeout(RESTART_WAIT))
                        .orThrow("starting the target after the clone ("
                                + spec.target().database().serviceStart() + ")");
                started = true;
            }
            progress.alive();
            Pause.sleep(Duration.ofSeconds(1));
        }
        throw new IllegalStateException("the target did not answer within " + RESTART_WAIT.toMinutes()
                + " min of the clone: " + (last == null ? "" : last.getMessage()));
    }
}
