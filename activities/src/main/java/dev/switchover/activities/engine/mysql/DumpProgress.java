package dev.switchover.activities.engine.mysql;

import dev.switchover.workflows.activities.CopyProgress;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Progress of a streamed dump from the dump tool's --verbose lines on stderr. A dump has no byte
 * count of its own, and its lines name the table without its schema ("-- Retrieving table
 * structure for table t1..."), so the tables are known beforehand in the dump's order (schemas as
 * listed, tables by name) with their sizes from information_schema, and each announcement moves
 * the count past the tables before it.
 */
final class DumpProgress {
    private static final Pattern TABLE =
            Pattern.compile("^-- Retrieving table structure for table `?(.+?)`?\\.\\.\\.\\s*$");

    /** A table the dump will copy, with its size on the source. */
    record Table(String schema, String name, long bytes) {}

    private final List<Table> tables;
    private final long total;
    private int next;
    private long done;

    DumpProgress(List<Table> tables) {
        this.tables = List.copyOf(tables);
        this.total = tables.stream().mapToLong(Table::bytes).sum();
    }

    long total() {
        return total;
    }

    /** The progress after {@code line}, if the line moved it: every table before the announced one is done. */
    Optional<CopyProgress> accept(String line) {
        Matcher m = TABLE.matcher(line);
        if (!m.find()) return Optional.empty();
        for (int i = next; i < tables.size(); i++) {
            if (tables.get(i).name().equals(m.group(1))) {
                for (int j = next; j < i; j++) done += tables.get(j).bytes();
                next = i + 1;
                CopyProgress p = new CopyProgress(
                        done,
                        total,
                        "copying " + tables.get(i).schema() + "."
                                + tables.get(i).name());
                done += tables.get(i).bytes();
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Everything is copied and loaded; call when the dump and the load both exited successfully. */
    CopyProgress finished() {
        return new CopyProgress(total, total, "copied and loaded");
    }
}
