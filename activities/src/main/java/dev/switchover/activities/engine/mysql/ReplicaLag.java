package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.activities.LagSample;
import dev.switchover.workflows.spec.MigrationSpec;
import java.util.List;
import java.util.Map;

/**
 * The catch-up's lag samples: the transactions the target lacks, the bytes of the source's binary
 * log it has not executed, its threads, and the silence of a link that looks up but carries
 * nothing. Each sample also locks the accounts that arrived by replication ({@link TargetFence}).
 */
final class ReplicaLag {
    private final MySqlEngine engine;
    private final Dialect dialect;

    ReplicaLag(MySqlEngine engine, Dialect dialect) {
        this.engine = engine;
        this.dialect = dialect;
    }

    LagSample measure(MigrationSpec spec) {
        String sourcePos;
        List<String> sourceBinlog;
        List<List<String>> binlogs;
        try (MySqlSession s = engine.source(spec)) {
            sourcePos = MySqlGtidSet.oneLine(s.one("SELECT " + dialect.executedVariable()));
            sourceBinlog = binlogStatus(s);
            binlogs = s.rows("SHOW BINARY LOGS");
        }
        try (MySqlSession t = engine.target(spec)) {
            Version v = MySqlEngine.version(t);
            Map<String, String> st = engine.replica().status(t);
            String applied = MySqlGtidSet.oneLine(t.one("SELECT " + dialect.appliedVariable()));
            if (st == null) {
                return new LagSample(
                        false,
                        Long.MAX_VALUE,
                        Double.MAX_VALUE,
                        sourcePos,
                        applied,
                        "not replicating: the target has no replication configured");
            }
            engine.targetFence(spec).lockArrivals(t);
            long missing = dialect.transactionsMissing(t, sourcePos, applied);
            long bytes = missing == 0 ? 0 : Math.max(1, binlogBytesBehind(v, st, sourceBinlog, binlogs));
            boolean io = "Yes".equals(st.get(dialect.column(v, "Replica_IO_Running")));
            boolean sql = "Yes".equals(st.get(dialect.column(v, "Replica_SQL_Running")));
            String behind = st.get(dialect.column(v, "Seconds_Behind_Source"));
            double seconds = behind == null ? Double.MAX_VALUE : Double.parseDouble(behind);
            String state = "IO " + st.get(dialect.column(v, "Replica_IO_Running")) + ", SQL "
                    + st.get(dialect.column(v, "Replica_SQL_Running")) + ", " + missing + " transactions behind";
            if (!io || !sql) {
                return new LagSample(
                        false,
                        bytes,
                        seconds,
                        sourcePos,
                        applied,
                        state + "; " + engine.replica().problem(v, st));
            }
            long silent = dialect.silentSeconds(t);
            if (silent > ReplicaSetup.SOURCE_SILENCE.toSeconds()) {
                // A cut link leaves both threads "running" until replica_net_timeout; an idle source
                // then looks in sync. Only the missing heartbeats tell.
                return new LagSample(
                        false,
                        bytes,
                        seconds,
                        sourcePos,
                        applied,
                        "nothing from the source for " + silent + " s (" + state + ")");
            }
            return new LagSample(true, bytes, seconds, sourcePos, applied, state);
        }
    }

    /** File and position of the source's binary log: [file, position]. */
    private static List<String> binlogStatus(MySqlSession s) {
        Version v = MySqlEngine.version(s);
        List<String> row = s.row(s.dialect.binlogStatusQuery(v));
        return row == null ? null : List.of(row.get(0), row.get(1));
    }

    /** Bytes of the source's binary log after the position the target has executed. */
    private long binlogBytesBehind(
            Version v, Map<String, String> st, List<String> sourceBinlog, List<List<String>> logs) {
        String file = st.get(dialect.column(v, "Relay_Source_Log_File"));
        String pos = st.get(dialect.column(v, "Exec_Source_Log_Pos"));
        if (sourceBinlog == null || file == null || pos == null || file.isBlank()) return Long.MAX_VALUE;
        long executed = Long.parseLong(pos);
        if (file.equals(sourceBinlog.get(0))) return Math.max(0, Long.parseLong(sourceBinlog.get(1)) - executed);
        long bytes = 0;
        boolean counting = false;
        for (List<String> log : logs) {
            if (log.get(0).equals(file)) {
                counting = true;
                bytes += Math.max(0, Long.parseLong(log.get(1)) - executed);
            } else if (counting) {
                bytes += log.get(0).equals(sourceBinlog.get(0))
                        ? Long.parseLong(sourceBinlog.get(1))
                        : Long.parseLong(log.get(1));
            }
        }
        return counting ? bytes : Long.MAX_VALUE;
    }
}
