package dev.switchover.activities.engine.mysql;

/**
 * MySQL GTID set text ("3E11FA47-...:1-5:11-18,\n5A7C...:1-3"). The server compares sets itself
 * (GTID_SUBSET, GTID_SUBTRACT); this only counts the transactions in one, for lag reports.
 */
final class MySqlGtidSet {
    private MySqlGtidSet() {}

    /** Transactions in {@code set}; 0 for null or empty. Tagged GTIDs (uuid:tag:1-5) count too. */
    static long count(String set) {
        if (set == null || set.isBlank()) return 0;
        long n = 0;
        for (String source : set.replace("\n", "").split(",")) {
            String[] parts = source.strip().split(":");
            for (int i = 1; i < parts.length; i++) {
                String interval = parts[i].strip();
                if (interval.isEmpty() || !Character.isDigit(interval.charAt(0))) continue; // a tag
                int dash = interval.indexOf('-');
                n += dash < 0
                        ? 1
                        : Long.parseLong(interval.substring(dash + 1))
                                - Long.parseLong(interval.substring(0, dash))
                                + 1;
            }
        }
        return n;
    }

    /** The set as one line, as MySQL returns it with newlines between sources. */
    static String oneLine(String set) {
        return set == null ? "" : set.replace("\n", "");
    }
}
