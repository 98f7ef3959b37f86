package dev.switchover.bench;

/**
 * The logical alternative, as an expert runs it on the target: {@code pg_dump -Fc -Z0 | pg_restore
 * -C}, streamed, nothing on disk between them. One stream and not {@code -Fd -j}: the parallel
 * form needs the whole dump written out first, and on two cores it has little to gain. No
 * compression, as the pipe never leaves the target; the link carries pg_dump's COPY stream either
 * way. Into a fresh, running cluster (lab.sh reset), as a new server would be.
 */
final class DumpRestore implements CopyVariant {
    private final BenchLab lab;

    DumpRestore(BenchLab lab) {
        this.lab = lab;
    }

    @Override
    public String method() {
        return "pg_dump|pg_restore";
    }

    @Override
    public void prepare() {
        lab.run("reset", BenchLab.TARGET);
    }

    @Override
    public double copy() {
        return lab.timedAsPostgres(
                BenchLab.TARGET,
                "set -o pipefail; pg_dump -h " + BenchLab.SOURCE_ADDRESS + " -U postgres -Fc -Z0 " + CopySource.DATABASE
                        + " | pg_restore -C -d postgres --exit-on-error");
    }
}
