package dev.switchover.bench;

import dev.switchover.activities.Hosts;
import dev.switchover.activities.engine.Progress;
import dev.switchover.activities.engine.postgres.PostgresLogicalEngine;
import dev.switchover.activities.secrets.SecretResolver;
import dev.switchover.testkit.LabSpec;
import dev.switchover.workflows.activities.BaseCopyResult;
import dev.switchover.workflows.spec.MigrationSpec;
import dev.switchover.workflows.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * switchover's BASE_COPY step by the logical method ({@code replication.method: logical}), as the
 * migration's activity runs it, in this process: the roles, each database's schema with its
 * primary keys, a subscription per database whose initial copy ({@code copy_data}) moves the rows,
 * then, once every table is in sync, the other indexes, foreign keys and triggers. The source was
 * prepared first as PREPARE_SOURCE does (role, pg_hba rules, a publication per database, and
 * wal_level = logical, a restart the first time). Its own replication role: the physical variant's
 * is that migration's, and this one's needs pg_read_all_data besides.
 */
final class LogicalSwitchoverCopy implements CopyVariant, AutoCloseable {
    static final String NAME = "bench-copy-logical";

    private final BenchLab lab;
    private final Hosts hosts = new Hosts(new SecretResolver());
    private final PostgresLogicalEngine engine = new PostgresLogicalEngine(hosts);
    private final MigrationSpec spec;

    LogicalSwitchoverCopy(BenchLab lab, Path work) throws IOException {
        this.lab = lab;
        Files.createDirectories(work);
        Path secret = LabSpec.replicationSecret(work.resolve("replication-password"));
        this.spec = SpecLoader.parse(
                LabSpec.specHead(NAME, BenchLab.SOURCE_ADDRESS, BenchLab.TARGET_ADDRESS, secret)
                        + "  method: logical\n"
                        + "  user: bench_logical\n"
                        + "cutover:\n"
                        + "  allowSourceRestart: true\n",
                "logical base copy bench spec");
        engine.prepareSource(spec);
    }

    @Override
    public String method() {
        return "switchover logical";
    }

    /**
     * A fresh, empty, running primary, as a new server would be: the other variants leave a standby,
     * an empty data directory or a restored database, which the copy's guard rightly refuses. Its
     * marker beside the data directory goes too, and the last run's slots on the source (a reset
     * target never drops its subscriptions), so no run starts from the one before.
     */
    @Override
    public void prepare() {
        lab.run("reset", BenchLab.TARGET);
        lab.sh(BenchLab.TARGET, "rm -f /var/lib/postgresql/15/.switchover-main");
        dropSlots();
    }

    @Override
    public double copy() {
        long t0 = System.nanoTime();
        BaseCopyResult r = engine.baseCopy(spec, Progress.NONE);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (r.alreadyDone()) throw new IllegalStateException("the target was found already copied: nothing was timed");
        return seconds;
    }

    /**
     * The subscriptions' slots on the source, once no target streams from them: left there, they
     * would keep the source's WAL for as long as the bench's source database is reused.
     */
    private void dropSlots() {
        String ours = "slot_name LIKE 'switchover_" + NAME.replace('-', '_') + "\\_%'";
        lab.asPostgres(
                BenchLab.SOURCE,
                "psql -X -At -q -c \"SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE " + ours
                        + " AND active_pid IS NOT NULL\" >/dev/null"
                        + " && for i in $(seq 1 100); do"
                        + " [ \"$(psql -X -At -c \"SELECT count(*) FROM pg_replication_slots WHERE " + ours
                        + " AND active\")\" = 0 ] && break; sleep 0.1; done"
                        + " && psql -X -At -q -c \"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                        + " WHERE " + ours + " AND NOT active\" >/dev/null");
    }

    @Override
    public void close() {
        try {
            dropSlots();
        } finally {
            hosts.close();
        }
    }
}
