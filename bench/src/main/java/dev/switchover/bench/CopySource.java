package dev.switchover.bench;

import java.util.function.Consumer;

/**
 * The database every base-copy variant copies: pgbench's tables in {@code bench} on the source,
 * made once and kept while its scale is the one asked for, because making 2 GB takes minutes.
 */
final class CopySource {
    static final String DATABASE = "bench";
    /** pgbench_accounts with its primary key, per scale unit, as PostgreSQL 15 stores it (measured). */
    private static final double BYTES_PER_SCALE = 15.0e6;

    private final BenchLab lab;
    private final Consumer<String> say;

    CopySource(BenchLab lab, Consumer<String> say) {
        this.lab = lab;
        this.say = say;
    }

    /** What was made or found: the database's size, the whole cluster's, and how long making it took. */
    record Made(int scale, long databaseBytes, long clusterBytes, double generationSeconds, boolean reused) {}

    Made ensure(double gigabytes) {
        int scale = (int) Math.ceil(gigabytes * 1e9 / BYTES_PER_SCALE);
        String found = psql("SELECT count(*) FROM pg_database WHERE datname = '" + DATABASE + "'", "postgres");
        boolean reused =
                "1".equals(found) && String.valueOf(scale).equals(psqlOrEmpty("SELECT count(*) FROM pgbench_branches"));
        double seconds = 0;
        if (!reused) {
            // Fresh clusters: the overhead bench leaves the source frozen read-only and the target promoted.
            lab.run("reset", BenchLab.SOURCE, BenchLab.TARGET);
            say.accept("source: generating pgbench scale " + scale + " (~" + Math.round(scale * BYTES_PER_SCALE / 1e6)
                    + " MB)");
            long t0 = System.nanoTime();
            lab.asPostgres(
                    BenchLab.SOURCE,
                    "dropdb --if-exists " + DATABASE + " && createdb " + DATABASE
                            // Server-side generation (G): no client round trips, the quickest of pgbench's ways.
                            + " && pgbench -q -i -I dtGvp -s " + scale + " " + DATABASE);
            seconds = (System.nanoTime() - t0) / 1e9;
            say.accept(String.format("source: generated in %.0f s", seconds));
        } else {
            say.accept("source: reusing pgbench scale " + scale + " in " + DATABASE);
        }
        // A checkpoint now, so that no variant pays for the generation's dirty buffers.
        psql("CHECKPOINT", "postgres");
        long db = Long.parseLong(psql("SELECT pg_database_size('" + DATABASE + "')", "postgres"));
        long cluster = Long.parseLong(psql("SELECT sum(pg_database_size(datname)) FROM pg_database", "postgres"));
        return new Made(scale, db, cluster, seconds, reused);
    }

    private String psqlOrEmpty(String sql) {
        try {
            return psql(sql, DATABASE);
        } catch (IllegalStateException e) {
            return "";
        }
    }

    private String psql(String sql, String database) {
        return lab.asPostgres(BenchLab.SOURCE, "psql -X -At -d " + database + " -c " + BenchLab.quote(sql))
                .strip();
    }
}
