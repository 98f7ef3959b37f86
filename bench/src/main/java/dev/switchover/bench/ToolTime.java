package dev.switchover.bench;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Time a migration spent inside the database tools, not in orchestration: fio, both
 * pg_basebackups (the copy and the post-promotion backup), and pg_promote. The first three are
 * remote commands, timed by the worker's own log; pg_promote is SQL, timed by the target's server
 * log, from "received promote request" to "ready to accept connections".
 */
record ToolTime(String tool, Instant started, Instant ended) {
    double seconds() {
        return (ended.toEpochMilli() - started.toEpochMilli()) / 1000.0;
    }

    static List<ToolTime> of(List<ToolLog.Ran> commands, String targetServerLog, Instant from) {
        List<ToolTime> tools = new ArrayList<>();
        for (ToolLog.Ran r : commands) {
            String name = toolOf(r.shown());
            if (name != null) tools.add(new ToolTime(name, r.started(), r.ended()));
        }
        ToolTime promote = promotion(targetServerLog, from);
        if (promote != null) tools.add(promote);
        return tools;
    }

    /** The tool a remote command runs, or null when it is the orchestration's own (checks, pg_ctl, SQL). */
    static String toolOf(String shown) {
        String argv = shown.substring(shown.indexOf(": ") + 2);
        if (argv.contains(" fio --name=") || argv.startsWith("fio --name=")) return "fio";
        if (argv.contains("pg_basebackup ") && argv.contains(" -Ft ")) return "pg_basebackup (backup)";
        if (argv.contains("pg_basebackup ")) return "pg_basebackup (copy)";
        return null;
    }

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    /** The last promotion in the log after {@code from}, or null if none is there. */
    static ToolTime promotion(String log, Instant from) {
        Instant requested = null;
        Instant ready = null;
        for (String line : log.split("\n")) {
            if (line.length() < 27 || !line.startsWith("20")) continue;
            Instant at;
            try {
                // Debian's log_line_prefix starts with %m: "2026-11-26 23:18:48.524 UTC".
                at = LocalDateTime.parse(line.substring(0, 23), LOG_TIME).toInstant(ZoneOffset.UTC);
            } catch (RuntimeException e) {
                continue;
            }
            if (at.isBefore(from)) continue;
            if (line.contains("received promote request")) {
                requested = at;
                ready = null;
            } else if (requested != null
                    && ready == null
                    && line.contains("database system is ready to accept connections")) {
                ready = at;
            }
        }
        return requested != null && ready != null ? new ToolTime("pg_promote", requested, ready) : null;
    }
}
