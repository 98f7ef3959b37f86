package dev.switchover.bench;

/**
 * What an expert types on the target: {@code pg_basebackup -h SRC -U replicator -D DATADIR -X stream
 * -R -c fast}, into the emptied data directory of the stopped cluster, then starts the standby and
 * waits until it streams: the end state of switchover's step. The same checkpoint mode as
 * switchover's ({@code -c fast}), so neither waits for a spread checkpoint; no slot and no
 * {@code -P}, which the hand doesn't need. Timed: the whole job; pg_basebackup alone is kept
 * beside it. Stopping and emptying the target are not timed (switchover's step does both).
 */
final class HandBasebackup implements CopyVariant {
    private final BenchLab lab;
    private final String user;
    private double lastBasebackupSeconds;

    HandBasebackup(BenchLab lab, String replicationUser) {
        this.lab = lab;
        this.user = replicationUser;
    }

    @Override
    public String method() {
        return "pg_basebackup";
    }

    @Override
    public void prepare() {
        CopyVariant.emptyTarget(lab);
    }

    @Override
    public double copy() {
        lastBasebackupSeconds = lab.timedAsPostgres(
                BenchLab.TARGET,
                "pg_basebackup -h " + BenchLab.SOURCE_ADDRESS + " -U " + user + " -D " + BenchLab.DATA_DIR
                        + " -X stream -R -c fast");
        return lastBasebackupSeconds + startAndStream();
    }

    @Override
    public String detail() {
        return "pgBasebackupSeconds";
    }

    @Override
    public double detailSeconds() {
        return lastBasebackupSeconds;
    }

    /** Seconds from starting the copied cluster to its WAL receiver streaming from the source. */
    private double startAndStream() {
        long t0 = System.nanoTime();
        lab.sh(BenchLab.TARGET, "pg_ctlcluster 15 main start");
        lab.asPostgres(
                BenchLab.TARGET,
                "for i in $(seq 1 600); do "
                        + "[ \"$(psql -X -At -c 'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null)\" = streaming ] && exit 0; "
                        + "sleep 0.1; done; echo 'not streaming after 60 s' >&2; exit 1");
        return (System.nanoTime() - t0) / 1e9;
    }
}
