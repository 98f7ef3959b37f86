package dev.switchover.bench;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.engine.postgres.PostgresEngine;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * switchover's BASE_COPY step as the migration's activity runs it, in this process: the guard,
 * the emptying, {@code pg_basebackup -R -X stream -S slot -c fast -P -v}, then the target started
 * and seen streaming. The source was prepared first (role, pg_hba rule, slot), as PREPARE_SOURCE does.
 */
final class SwitchoverCopy implements CopyVariant, AutoCloseable {
    private final BenchLab lab;
    private final Hosts hosts = new Hosts(new SecretResolver());
    private final PostgresEngine engine = new PostgresEngine(hosts);
    private final MigrationSpec spec;
    private long lastBytes;
    private double lastPgBasebackup;

    SwitchoverCopy(BenchLab lab, Path work) throws IOException {
        this.lab = lab;
        Files.createDirectories(work);
        Path secret = LabSpec.replicationSecret(work.resolve("replication-password"));
        this.spec = SpecLoader.parse(
                LabSpec.specHead("bench-copy", BenchLab.SOURCE_ADDRESS, BenchLab.TARGET_ADDRESS, secret),
                "base copy bench spec");
        engine.prepareSource(spec);
    }

    /** The replication account's login, for the hand-run copy to use the same one. */
    String replicationUser() {
        return spec.replication().user();
    }

    String replicationPassword() {
        return hosts.secret("replication.password", spec.replication().password())
                .reveal();
    }

    /** What pg_basebackup reported copying in the last run. */
    long lastBytes() {
        return lastBytes;
    }

    @Override
    public String method() {
        return "switchover";
    }

    @Override
    public void prepare() {
        CopyVariant.emptyTarget(lab);
    }

    @Override
    public double copy() {
        BaseCopyResult r;
        double seconds;
        try (ToolLog log = ToolLog.capture()) {
            long t0 = System.nanoTime();
            r = engine.baseCopy(spec, Progress.NONE);
            seconds = (System.nanoTime() - t0) / 1e9;
            lastPgBasebackup = log.ran().stream()
                    .filter(c -> "pg_basebackup (copy)".equals(ToolTime.toolOf(c.shown())))
                    .mapToDouble(ToolLog.Ran::seconds)
                    .sum();
        }
        if (r.alreadyDone()) throw new IllegalStateException("the target was found already copied: nothing was timed");
        lastBytes = r.bytes();
        return seconds;
    }

    /** The pg_basebackup inside the step, timed by the worker's log: the rest is the step's own work. */
    @Override
    public String detail() {
        return "pgBasebackupSeconds";
    }

    @Override
    public double detailSeconds() {
        return lastPgBasebackup;
    }

    @Override
    public void close() {
        hosts.close();
    }
}
