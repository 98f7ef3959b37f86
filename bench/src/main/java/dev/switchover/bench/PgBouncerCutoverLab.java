package dev.switchover.bench;

import dev.switchover.testkit.LabHost;
import dev.switchover.testkit.LabPair;
import dev.switchover.testkit.LabPgBouncer;
import dev.switchover.testkit.SetWriter;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * PostgreSQL 15 behind PgBouncer, as {@code PgBouncerCutoverIT} sets it up: PgBouncer on bcb in
 * front of bcs, the writer on one connection through it for the whole run, and the migration
 * repointing PgBouncer at bct, by the replication method its spec names.
 */
final class PgBouncerCutoverLab extends CutoverLab {
    private final LabPgBouncer bouncer;

    PgBouncerCutoverLab(String engine, ReplicationMethod method) {
        super(
                engine,
                "PostgreSQL 15 behind PgBouncer (`traffic.type: pgbouncer`, transaction pooling), the writer"
                        + " on one connection through it" + method.described(),
                LabPair.up(LabHost.BCS, LabHost.BCT),
                method);
        bouncer = LabPgBouncer.up(pair(), LabHost.BCB.hostName(), LabHost.BCB.address());
    }

    /** PgBouncer's pg_hba rule goes on each fresh cluster. */
    @Override
    void started() {
        bouncer.start();
    }

    @Override
    Supplier<String> primary(Path dir) {
        return bouncer::address;
    }

    @Override
    SetWriter.Login login() {
        return address -> bouncer.connect("switchover-bench-writer");
    }

    @Override
    String traffic(Path dir) {
        return bouncer.trafficSpec();
    }

    @Override
    void close() {
        bouncer.stop();
        pair().run("down", LabHost.BCB.hostName(), pair().sourceName(), pair().targetName());
    }
}
